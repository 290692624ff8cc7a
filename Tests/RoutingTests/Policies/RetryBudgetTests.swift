import Routing
import Testing

@Suite struct RetryBudgetTests {
    let time = TestTime()

    func retries(_ budget: inout RetryBudget, attempts: Int, at now: ContinuousClock.Instant) -> Int {
        (0..<attempts).filter { _ in budget.tryAcquireRetry(now: now) }.count
    }

    @Test func allowsTheRatioOfLiveTraffic() {
        var budget = RetryBudget(configuration: .init(ratio: 0.2, minRetriesPerSecond: 0))
        for _ in 0..<1_000 { budget.recordRequest(now: time.at(0)) }
        #expect(retries(&budget, attempts: 1_000, at: time.at(1)) == 200)
        #expect(budget.availableRetries(now: time.at(1)) == 0)
    }

    @Test func quietRouterStillHasTheFloor() {
        var budget = RetryBudget(configuration: .init(ratio: 0.2, minRetriesPerSecond: 3, window: .seconds(10)))
        #expect(retries(&budget, attempts: 100, at: time.at(0)) == 30)
        for _ in 0..<50 { budget.recordRequest(now: time.at(0)) }
        #expect(retries(&budget, attempts: 100, at: time.at(0)) == 10)
    }

    @Test func recoversAsTheWindowSlides() {
        var budget = RetryBudget(configuration: .init(ratio: 0.5, minRetriesPerSecond: 0, window: .seconds(10)))
        for _ in 0..<10 { budget.recordRequest(now: time.at(0)) }
        #expect(retries(&budget, attempts: 10, at: time.at(0)) == 5)
        for _ in 0..<10 { budget.recordRequest(now: time.at(5)) }
        #expect(retries(&budget, attempts: 10, at: time.at(5)) == 5)
        #expect(retries(&budget, attempts: 1, at: time.at(9)) == 0)
        // At 10 s the first second's requests and retries leave the window together.
        #expect(budget.counts(now: time.at(10)) == (requests: 10, retries: 5))
        #expect(retries(&budget, attempts: 1, at: time.at(10)) == 0)
        for _ in 0..<10 { budget.recordRequest(now: time.at(10)) }
        #expect(retries(&budget, attempts: 10, at: time.at(10)) == 5)
        // Once the retry storm has passed entirely, a fresh burst of traffic earns a full budget.
        for _ in 0..<100 { budget.recordRequest(now: time.at(30)) }
        #expect(retries(&budget, attempts: 100, at: time.at(30)) == 50)
    }

    @Test func retriesAreNotCountedAsRequests() {
        var budget = RetryBudget(configuration: .init(ratio: 1, minRetriesPerSecond: 0))
        budget.recordRequest(now: time.at(0))
        #expect(retries(&budget, attempts: 1, at: time.at(0)) == 1)
        #expect(retries(&budget, attempts: 1, at: time.at(0)) == 0)
    }
}
