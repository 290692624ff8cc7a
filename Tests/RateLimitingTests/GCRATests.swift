import RateLimiting
import Testing

/// The pure GCRA math, driven with an injected clock (microseconds).
@Suite struct GCRATests {
    /// A simulated key: the stored TAT, updated only when a request is admitted.
    struct Bucket {
        var limits: [GCRA.Limit]
        var arrivalTimes: [Int64?]

        init(_ policies: RateLimitPolicy...) {
            limits = policies.map(GCRA.Limit.init)
            arrivalTimes = Array(repeating: nil, count: policies.count)
        }

        mutating func request(at now: Int64, cost: Int = 1) -> RateLimitDecision {
            let outcome = GCRA.evaluate(arrivalTimes: arrivalTimes, limits: limits, cost: cost, now: now)
            if let stored = outcome.newArrivalTimes { arrivalTimes = stored }
            return outcome.decision
        }
    }

    let start: Int64 = 1_700_000_000_000_000

    @Test func burstAdmitsExactlyBurstRequestsAtOneInstant() {
        var bucket = Bucket(RateLimitPolicy(limit: 100, period: .seconds(60)))
        var remaining: [Int] = []
        for _ in 0..<100 {
            let decision = bucket.request(at: start)
            #expect(decision.allowed)
            #expect(decision.limit == 100)
            #expect(decision.retryAfter == .zero)
            remaining.append(decision.remaining)
        }
        #expect(remaining == Array((0...99).reversed()))
        for _ in 0..<50 {
            let refused = bucket.request(at: start)
            #expect(!refused.allowed)
            #expect(refused.remaining == 0)
            #expect(refused.retryAfter == .milliseconds(600))
            #expect(refused.resetAfter == .seconds(60))
        }
    }

    @Test func requestsAreSpacedByTheEmissionIntervalAfterTheBurst() {
        var bucket = Bucket(RateLimitPolicy(limit: 10, period: .seconds(1), burst: 3))
        for _ in 0..<3 { #expect(bucket.request(at: start).allowed) }
        #expect(!bucket.request(at: start).allowed)
        // One request per 100 ms from here on, never two.
        for step in 1...20 {
            let slot = start + Int64(step) * 100_000
            #expect(!bucket.request(at: slot - 1).allowed)
            let admitted = bucket.request(at: slot)
            #expect(admitted.allowed)
            #expect(admitted.remaining == 0)
            #expect(!bucket.request(at: slot).allowed)
        }
    }

    @Test func retryAfterIsExactlyTheWaitUntilAdmission() {
        var bucket = Bucket(RateLimitPolicy(limit: 5, period: .seconds(1)))
        for _ in 0..<5 { #expect(bucket.request(at: start).allowed) }
        let later = start + 50_000
        let refused = bucket.request(at: later)
        #expect(!refused.allowed)
        #expect(refused.retryAfter == .milliseconds(150))
        #expect(refused.resetAfter == .milliseconds(950))
        #expect(!bucket.request(at: later + 149_999).allowed)
        #expect(bucket.request(at: later + 150_000).allowed)
    }

    @Test func retryAfterRoundsUpToWholeMilliseconds() {
        var bucket = Bucket(RateLimitPolicy(limit: 3, period: .seconds(1), burst: 1))
        #expect(bucket.request(at: start).allowed)
        let refused = bucket.request(at: start + 1)
        // T = 333 334 µs; the wait is 333 333 µs, reported as 334 ms.
        #expect(refused.retryAfter == .milliseconds(334))
        #expect(bucket.request(at: start + 333_334).allowed)
    }

    @Test func idleTimeRefillsUpToTheBurstOnly() {
        var bucket = Bucket(RateLimitPolicy(limit: 10, period: .seconds(1)))
        for _ in 0..<10 { #expect(bucket.request(at: start).allowed) }
        let muchLater = start + 3_600_000_000
        let decision = bucket.request(at: muchLater)
        #expect(decision.remaining == 9)
        #expect(decision.resetAfter == .milliseconds(100))
    }

    @Test func costCountsAsSeveralRequestsAndOversizedCostIsRefused() {
        var bucket = Bucket(RateLimitPolicy(limit: 10, period: .seconds(10)))
        #expect(bucket.request(at: start, cost: 4).remaining == 6)
        #expect(bucket.request(at: start, cost: 6).remaining == 0)
        let refused = bucket.request(at: start, cost: 2)
        #expect(!refused.allowed)
        #expect(refused.retryAfter == .seconds(2))
        #expect(!bucket.request(at: start + 100_000_000, cost: 11).allowed)
    }

    @Test func refusalByOneLimitChargesNeither() {
        var bucket = Bucket(
            RateLimitPolicy(limit: 5, period: .seconds(60)), RateLimitPolicy(limit: 2, period: .seconds(60)))
        #expect(bucket.request(at: start).allowed)
        #expect(bucket.request(at: start).allowed)
        let before = bucket.arrivalTimes
        for _ in 0..<10 {
            let refused = bucket.request(at: start)
            #expect(!refused.allowed)
            #expect(refused.limit == 2)
            #expect(refused.retryAfter == .seconds(30))
        }
        #expect(bucket.arrivalTimes == before)
        // The principal alone still has exactly 3 of its 5.
        var principal = Bucket(RateLimitPolicy(limit: 5, period: .seconds(60)))
        principal.arrivalTimes = [before[0]]
        #expect((0..<10).filter { _ in principal.request(at: start).allowed }.count == 3)
    }

    @Test func bindingLimitIsTheOneWithFewestRemaining() {
        var bucket = Bucket(
            RateLimitPolicy(limit: 100, period: .seconds(60)), RateLimitPolicy(limit: 10, period: .seconds(60)))
        let decision = bucket.request(at: start)
        #expect(decision.allowed)
        #expect(decision.limit == 10)
        #expect(decision.remaining == 9)
        #expect(decision.resetAfter == .seconds(6))
    }

    @Test func expiryCoversTheTimeUntilTheStateIsEmpty() {
        #expect(GCRA.expiryMilliseconds(newArrivalTime: start + 600_000, now: start) == 600)
        #expect(GCRA.expiryMilliseconds(newArrivalTime: start + 600_001, now: start) == 601)
        #expect(GCRA.expiryMilliseconds(newArrivalTime: start + 10, now: start) == 1)
    }

    @Test func emissionIntervalRoundsUpToWholeMicroseconds() {
        #expect(RateLimitPolicy(limit: 100, period: .seconds(60)).emissionIntervalMicroseconds == 600_000)
        #expect(RateLimitPolicy.perSecond(3).emissionIntervalMicroseconds == 333_334)
        #expect(RateLimitPolicy.perSecond(10_000_000).emissionIntervalMicroseconds == 1)
        #expect(RateLimitPolicy.perMinute(60, burst: 5).burst == 5)
    }
}
