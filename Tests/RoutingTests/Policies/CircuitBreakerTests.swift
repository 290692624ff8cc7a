import Routing
import Testing

@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreakerStateMachine
    let time = TestTime()

    /// Sends one call at `now` and records `outcome` for it.
    @discardableResult
    func call(_ breaker: inout Breaker, _ outcome: CallOutcome, at now: ContinuousClock.Instant) -> Breaker.Transition?
    {
        let permit = breaker.tryAcquire(now: now)
        #expect(permit.isAllowed)
        return breaker.record(outcome, for: permit, now: now)
    }

    /// A breaker that opened at second 0 with the given configuration.
    func openBreaker(_ configuration: CircuitBreakerConfiguration) -> Breaker {
        var breaker = Breaker(configuration: configuration)
        for _ in 0..<configuration.consecutiveFailureThreshold {
            call(&breaker, .failure, at: time.at(0))
        }
        #expect(breaker.state == .open)
        return breaker
    }

    @Test func tripsOnConsecutiveFailures() {
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 3))
        #expect(call(&breaker, .failure, at: time.at(0)) == nil)
        #expect(call(&breaker, .failure, at: time.at(0)) == nil)
        #expect(breaker.state == .closed)
        let transition = call(&breaker, .failure, at: time.at(0))
        #expect(transition?.from == .closed)
        #expect(transition?.to == .open)
        #expect(transition?.reason == .consecutiveFailures)
        #expect(transition?.openDuration == .seconds(5))
        #expect(breaker.tryAcquire(now: time.at(1)) == .rejected(retryAfter: .seconds(4)))
    }

    @Test func successBreaksTheFailureRun() {
        // The ratio trigger is disabled (above 1) so only the failure run is tested.
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 3, failureRatioThreshold: 2))
        for _ in 0..<10 {
            call(&breaker, .failure, at: time.at(0))
            call(&breaker, .failure, at: time.at(0))
            call(&breaker, .success, at: time.at(0))
        }
        #expect(breaker.state == .closed)
    }

    @Test func tripsOnRatioOnlyPastTheMinimumCount() {
        let configuration = CircuitBreakerConfiguration(
            consecutiveFailureThreshold: 0, failureRatioThreshold: 0.5, minimumRequestsInWindow: 20)
        var breaker = Breaker(configuration: configuration)
        for _ in 0..<5 { call(&breaker, .success, at: time.at(0)) }
        for _ in 0..<14 { call(&breaker, .failure, at: time.at(1)) }
        // 14 of 19 failed (74 %), but 19 calls are below the minimum of 20.
        #expect(breaker.state == .closed)
        let transition = call(&breaker, .failure, at: time.at(1))
        #expect(transition?.reason == .failureRatio)
        #expect(breaker.state == .open)
    }

    @Test func ratioBelowThresholdDoesNotTrip() {
        let configuration = CircuitBreakerConfiguration(
            consecutiveFailureThreshold: 0, failureRatioThreshold: 0.5, minimumRequestsInWindow: 10)
        var breaker = Breaker(configuration: configuration)
        for _ in 0..<100 {
            call(&breaker, .success, at: time.at(0))
            call(&breaker, .success, at: time.at(0))
            call(&breaker, .failure, at: time.at(0))
        }
        #expect(breaker.state == .closed)
        #expect(breaker.failureRatio(now: time.at(0)).map { abs($0 - 1.0 / 3.0) < 0.01 } == true)
    }

    @Test func oldFailuresExpireAsTheWindowSlides() {
        let configuration = CircuitBreakerConfiguration(
            consecutiveFailureThreshold: 0, failureRatioThreshold: 0.5, minimumRequestsInWindow: 10,
            window: .seconds(10))
        var slid = Breaker(configuration: configuration)
        var fresh = Breaker(configuration: configuration)
        for _ in 0..<9 {
            call(&slid, .failure, at: time.at(0))
            call(&fresh, .failure, at: time.at(0))
        }
        // Ten seconds later the nine failures have left the window: one more is 1 of 1.
        call(&slid, .failure, at: time.at(10))
        #expect(slid.state == .closed)
        #expect(slid.failureRatio(now: time.at(10)) == 1)
        // Within the window the same failure is the tenth and trips.
        call(&fresh, .failure, at: time.at(5))
        #expect(fresh.state == .open)
    }

    @Test func ignoredOutcomesNeverTripOrCount() {
        var breaker = Breaker(
            configuration: .init(consecutiveFailureThreshold: 3, failureRatioThreshold: 0.5, minimumRequestsInWindow: 4)
        )
        for _ in 0..<1_000 { call(&breaker, .ignored, at: time.at(0)) }
        #expect(breaker.state == .closed)
        #expect(breaker.failureRatio(now: time.at(0)) == nil)
        // Ignored calls neither reset the failure run nor count toward the ratio's minimum.
        call(&breaker, .failure, at: time.at(0))
        call(&breaker, .ignored, at: time.at(0))
        call(&breaker, .failure, at: time.at(0))
        #expect(breaker.state == .closed)
        call(&breaker, .failure, at: time.at(0))
        #expect(breaker.state == .open)
    }

    @Test func turnsHalfOpenWhenOpenTimeEnds() {
        var breaker = openBreaker(.init(consecutiveFailureThreshold: 1, openDuration: .seconds(5)))
        #expect(breaker.advance(now: time.at(4)) == nil)
        #expect(!breaker.tryAcquire(now: time.at(4)).isAllowed)
        let transition = breaker.advance(now: time.at(5))
        #expect(transition?.to == .halfOpen)
        #expect(transition?.reason == .openTimeElapsed)
        #expect(breaker.tryAcquire(now: time.at(5)).isProbe)
    }

    @Test func halfOpenAdmitsAtMostTheProbeLimit() {
        var breaker = openBreaker(
            .init(consecutiveFailureThreshold: 1, openDuration: .seconds(5), halfOpenMaxProbes: 2))
        #expect(breaker.tryAcquire(now: time.at(6)).isProbe)
        #expect(breaker.tryAcquire(now: time.at(6)).isProbe)
        #expect(breaker.tryAcquire(now: time.at(6)) == .rejected(retryAfter: .seconds(1)))
        #expect(breaker.probesOutstanding == 2)
    }

    @Test func closesAfterEnoughProbeSuccesses() {
        var breaker = openBreaker(
            .init(consecutiveFailureThreshold: 1, openDuration: .seconds(5), halfOpenSuccessesToClose: 2))
        let first = breaker.tryAcquire(now: time.at(6))
        #expect(breaker.record(.success, for: first, now: time.at(6)) == nil)
        #expect(breaker.state == .halfOpen)
        let second = breaker.tryAcquire(now: time.at(6))
        let transition = breaker.record(.success, for: second, now: time.at(6))
        #expect(transition?.to == .closed)
        #expect(transition?.reason == .probesSucceeded)
        #expect(breaker.tryAcquire(now: time.at(6)) == .allowed)
    }

    @Test func probeFailureReopensForLongerUpToTheCap() {
        let configuration = CircuitBreakerConfiguration(
            consecutiveFailureThreshold: 1, openDuration: .seconds(5), openDurationMultiplier: 2,
            maxOpenDuration: .seconds(15))
        var breaker = openBreaker(configuration)
        var now = 5
        for expected in [10, 15, 15] {
            let probe = breaker.tryAcquire(now: time.at(now))
            let transition = breaker.record(.failure, for: probe, now: time.at(now))
            #expect(transition?.from == .halfOpen)
            #expect(transition?.reason == .probeFailed)
            #expect(transition?.openDuration == .seconds(expected))
            #expect(breaker.tryAcquire(now: time.at(now + expected - 1)) == .rejected(retryAfter: .seconds(1)))
            now += expected
        }
    }

    @Test func closingResetsTheOpenTime() {
        var breaker = openBreaker(.init(consecutiveFailureThreshold: 1, halfOpenSuccessesToClose: 1))
        var probe = breaker.tryAcquire(now: time.at(5))
        _ = breaker.record(.failure, for: probe, now: time.at(5))
        probe = breaker.tryAcquire(now: time.at(15))
        _ = breaker.record(.success, for: probe, now: time.at(15))
        #expect(breaker.state == .closed)
        let transition = call(&breaker, .failure, at: time.at(16))
        #expect(transition?.openDuration == .seconds(5))
    }

    @Test func ignoredProbeReleasesItsSlot() {
        var breaker = openBreaker(.init(consecutiveFailureThreshold: 1, halfOpenMaxProbes: 1))
        let probe = breaker.tryAcquire(now: time.at(5))
        #expect(!breaker.tryAcquire(now: time.at(5)).isAllowed)
        #expect(breaker.record(.ignored, for: probe, now: time.at(5)) == nil)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.tryAcquire(now: time.at(5)).isProbe)
    }

    @Test func lostProbeSlotIsReclaimedAfterTheProbeTimeout() {
        var breaker = openBreaker(.init(consecutiveFailureThreshold: 1, probeTimeout: .seconds(30)))
        #expect(breaker.tryAcquire(now: time.at(5)).isProbe)
        #expect(!breaker.tryAcquire(now: time.at(34)).isAllowed)
        #expect(breaker.tryAcquire(now: time.at(35)).isProbe)
    }

    @Test func staleResultsDoNotMoveTheBreaker() {
        var breaker = Breaker(configuration: .init(consecutiveFailureThreshold: 1, halfOpenSuccessesToClose: 1))
        let early = breaker.tryAcquire(now: time.at(0))
        call(&breaker, .failure, at: time.at(0))
        let oldProbe = breaker.tryAcquire(now: time.at(5))
        _ = breaker.record(.failure, for: oldProbe, now: time.at(5))
        let probe = breaker.tryAcquire(now: time.at(15))
        // A call admitted before the trip, and a probe of the previous half-open round, finish now.
        #expect(breaker.record(.failure, for: early, now: time.at(15)) == nil)
        #expect(breaker.record(.success, for: oldProbe, now: time.at(15)) == nil)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.record(.success, for: probe, now: time.at(15))?.to == .closed)
    }
}
