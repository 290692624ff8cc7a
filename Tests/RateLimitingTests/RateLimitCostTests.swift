import Logging
import RedisClient
import TestSupport
import Testing

@testable import RateLimiting

/// A decision of cost n counts as n requests: the emission interval times n, in the pure math
/// and in the Redis script.
@Suite("Rate-limit cost", .serialized, .timeLimit(.minutes(2)))
struct RateLimitCostTests {
    @Test("cost n moves the TAT by n emission intervals; a refused cost moves nothing")
    func pureCost() {
        let limit = GCRA.Limit(emissionInterval: 1_000_000, burst: 10)
        let now: Int64 = 5_000_000_000
        let first = GCRA.evaluate(arrivalTimes: [nil], limits: [limit], cost: 4, now: now)
        #expect(first.decision.allowed && first.decision.remaining == 6)
        #expect(first.newArrivalTimes == [now + 4 * 1_000_000])
        let second = GCRA.evaluate(arrivalTimes: first.newArrivalTimes!, limits: [limit], cost: 7, now: now)
        #expect(!second.decision.allowed)
        #expect(second.newArrivalTimes == nil)
        // One cell is missing: it frees one emission interval later.
        #expect(second.decision.retryAfter == .seconds(1))
        let third = GCRA.evaluate(arrivalTimes: first.newArrivalTimes!, limits: [limit], cost: 6, now: now)
        #expect(third.decision.allowed && third.decision.remaining == 0)
    }

    @Test("through Redis: a cost of 3 spends 3 of a burst of 5, and a second cost of 3 is refused")
    func redisCost() async throws {
        let policy = RateLimitPolicy(limit: 5, period: .seconds(3600), burst: 5)
        let principal = RateLimitTestServer.principal("cost")
        try await withRedisClient(configuration: RateLimitTestServer.configuration(poolSize: 1)) { client in
            let limiter = RateLimiter(client: client)
            let first = try await limiter.check(principal: principal, policy: policy, cost: 3)
            #expect(first.allowed && first.enforced && first.remaining == 2)
            let second = try await limiter.check(principal: principal, policy: policy, cost: 3)
            #expect(!second.allowed)
            // One more cell is needed: at most one emission interval (3600 s / 5) away.
            #expect(second.retryAfter > .zero && second.retryAfter <= .seconds(720))
            let rest = try await limiter.check(principal: principal, policy: policy, cost: 2)
            #expect(rest.allowed && rest.remaining == 0)
        }
    }
}
