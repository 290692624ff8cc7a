import RateLimiting
import Testing

@Suite struct RateLimitDecisionTests {
    private func headers(_ decision: RateLimitDecision) -> [String: String] {
        Dictionary(uniqueKeysWithValues: decision.headerFields.map { ($0.name, $0.value) })
    }

    @Test func allowedDecisionRendersQuotaHeadersInWholeSecondsRoundedUp() {
        let decision = RateLimitDecision(
            allowed: true, limit: 100, remaining: 42, resetAfter: .milliseconds(34_200), retryAfter: .zero)
        #expect(
            headers(decision) == ["RateLimit-Limit": "100", "RateLimit-Remaining": "42", "RateLimit-Reset": "35"])
    }

    @Test func refusedDecisionAddsRetryAfterOfAtLeastOneSecond() {
        let decision = RateLimitDecision(
            allowed: false, limit: 10, remaining: 0, resetAfter: .milliseconds(6_000), retryAfter: .milliseconds(1))
        #expect(
            headers(decision) == [
                "RateLimit-Limit": "10", "RateLimit-Remaining": "0", "RateLimit-Reset": "6", "Retry-After": "1",
            ])
        let longer = RateLimitDecision(
            allowed: false, limit: 10, remaining: 0, resetAfter: .seconds(60), retryAfter: .milliseconds(2_001))
        #expect(headers(longer)["Retry-After"] == "3")
    }

    @Test func unenforcedDecisionsReportNoQuota() {
        let open = RateLimitDecision(
            allowed: true, limit: 5, remaining: 5, resetAfter: .zero, retryAfter: .zero, enforced: false)
        #expect(open.headerFields.isEmpty)
        let closed = RateLimitDecision(
            allowed: false, limit: 5, remaining: 0, resetAfter: .seconds(2), retryAfter: .seconds(2), enforced: false)
        #expect(headers(closed) == ["Retry-After": "2"])
    }

    @Test func secondsRoundUp() {
        #expect(RateLimitDecision.seconds(roundingUp: .zero) == 0)
        #expect(RateLimitDecision.seconds(roundingUp: .nanoseconds(1)) == 1)
        #expect(RateLimitDecision.seconds(roundingUp: .seconds(2)) == 2)
        #expect(RateLimitDecision.seconds(roundingUp: .milliseconds(2_500)) == 3)
        #expect(RateLimitDecision.seconds(roundingUp: .zero, minimum: 1) == 1)
    }

    @Test func keysAreNamespacedHashTaggedAndUnambiguous() {
        let keys = RateLimitKeys()
        #expect(keys.principalKey("alice") == "rl:{alice}")
        #expect(keys.modelKey(principal: "alice", model: "resnet50") == "rl:{alice}:{resnet50}")
        #expect(keys.principalKey("key:abc") == "rl:{key:abc}")
        #expect(keys.principalKey("a}b{c%") == "rl:{a%7Db%7Bc%25}")
        #expect(keys.modelKey(principal: "a", model: "b}:{c") != keys.modelKey(principal: "a}:{b", model: "c"))
        #expect(RateLimitKeys(prefix: "gw:rl").principalKey("bob") == "gw:rl:{bob}")
    }
}
