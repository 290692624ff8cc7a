import Resilience
import Routing
import Testing

@Suite struct BackoffTests {
    let time = TestTime()
    let backoff = Backoff(
        initial: .milliseconds(25), maximum: .seconds(1), jitter: 1, minimumAttemptTime: .milliseconds(10))

    @Test func ceilingDoublesUpToTheCap() {
        let ceilings = (1...8).map { backoff.ceiling(attempt: $0) }
        #expect(
            ceilings == [25, 50, 100, 200, 400, 800, 1_000, 1_000].map { Duration.milliseconds($0) })
        #expect(backoff.ceiling(attempt: 10_000) == .seconds(1))
    }

    @Test func delaysUseTheWholeJitterRangeAndNeverExceedTheCeiling() {
        var rng = SeededGenerator(seed: 8)
        for attempt in 1...8 {
            let ceiling = backoff.ceiling(attempt: attempt)
            let delays = (0..<2_000).map { _ in backoff.delay(attempt: attempt, using: &rng) }
            #expect(delays.allSatisfy { $0 >= .zero && $0 <= ceiling })
            #expect(delays.min()! < ceiling / 20)
            #expect(delays.max()! > ceiling * 0.95)
        }
    }

    @Test func noDeadlineKeepsTheDelay() {
        #expect(backoff.clamp(.milliseconds(300), now: time.at(0), deadline: nil) == .retry(after: .milliseconds(300)))
    }

    @Test func delayShorterThanTheDeadlineIsKept() {
        let decision = backoff.clamp(.milliseconds(300), now: time.at(0), deadline: time.at(ms: 1_000))
        #expect(decision == .retry(after: .milliseconds(300)))
    }

    @Test func delayIsClampedToLeaveTimeForTheAttempt() {
        let decision = backoff.clamp(.milliseconds(300), now: time.at(0), deadline: time.at(ms: 200))
        #expect(decision == .retry(after: .milliseconds(190)))
    }

    @Test func givesUpWhenTheDeadlineLeavesNoRoom() {
        #expect(backoff.clamp(.zero, now: time.at(0), deadline: time.at(ms: 10)) == .giveUp)
        #expect(backoff.clamp(.zero, now: time.at(1), deadline: time.at(0)) == .giveUp)
    }

    @Test func decisionNeverPlansARetryPastTheDeadline() {
        var rng = SeededGenerator(seed: 4)
        let deadline = time.at(ms: 150)
        for attempt in 1...10 {
            for start in stride(from: 0, through: 160, by: 20) {
                let now = time.at(ms: start)
                switch backoff.decision(attempt: attempt, now: now, deadline: deadline, using: &rng) {
                case .retry(let after):
                    #expect(now + after + backoff.minimumAttemptTime <= deadline)
                case .giveUp:
                    #expect(start >= 140)
                }
            }
        }
    }
}
