import Logging
import RedisClient
import TestSupport
import Testing

@testable import RateLimiting

/// The limiter against the stack's real Redis, and against a port where no Redis answers.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RateLimiterIntegrationTests {
    @Test func fiveHundredConcurrentRequestsAdmitExactlyTheBurst() async throws {
        // An hour-long window: no cell can refill while the 500 requests run, however slow the machine.
        let policy = RateLimitPolicy(limit: 100, period: .seconds(3600), burst: 100)
        let principal = RateLimitTestServer.principal("burst")
        let metrics = RecordingMetricsFactory()
        try await withRedisClient(configuration: RateLimitTestServer.configuration(poolSize: 4)) { client in
            let limiter = RateLimiter(client: client, metricsFactory: metrics)
            let started = ContinuousClock.now
            let decisions = try await withThrowingTaskGroup(of: RateLimitDecision.self) { group in
                for _ in 0..<500 {
                    group.addTask { try await limiter.check(principal: principal, policy: policy) }
                }
                return try await group.reduce(into: [RateLimitDecision]()) { $0.append($1) }
            }
            let admitted = decisions.filter(\.allowed)
            let refused = decisions.filter { !$0.allowed }
            #expect(admitted.count == 100)
            #expect(refused.count == 400)
            #expect(Set(admitted.map(\.remaining)) == Set(0...99))
            #expect(decisions.allSatisfy { $0.limit == 100 && $0.enforced })
            // Every refusal waits for the first freed slot: at most one emission interval (36 s).
            #expect(
                refused.allSatisfy { $0.remaining == 0 && $0.retryAfter > .zero && $0.retryAfter <= .seconds(36) }
            )
            // The bucket is full for the whole window, less the time the requests took (however long).
            let earliestReset = .seconds(3600) - started.duration(to: .now) - .seconds(1)
            #expect(refused.allSatisfy { $0.resetAfter > earliestReset && $0.resetAfter <= .seconds(3600) })
            #expect(
                refused.allSatisfy { decision in
                    decision.headerFields.contains { $0.name == "Retry-After" && (1...36).contains(Int($0.value) ?? 0) }
                })
            #expect(metrics.value("rate_limit_decisions_total", [("outcome", "allowed")]) == 100)
            #expect(metrics.value("rate_limit_decisions_total", [("outcome", "refused")]) == 400)
            _ = try await client.execute(["DEL", RateLimitKeys().principalKey(principal)])
        }
    }

    @Test func aRefusedPrincipalIsAdmittedAgainAfterItsRetryAfter() async throws {
        // One request per 3 s, no burst: after the retry-after exactly one request fits, and the
        // next would need 3 s more, far longer than the round trips between the checks.
        let policy = RateLimitPolicy(limit: 1, period: .seconds(3), burst: 1)
        let principal = RateLimitTestServer.principal("again")
        try await withRedisClient(configuration: RateLimitTestServer.configuration()) { client in
            let limiter = RateLimiter(client: client, metricsFactory: RecordingMetricsFactory())
            var refusal = try await limiter.check(principal: principal, policy: policy)
            while refusal.allowed { refusal = try await limiter.check(principal: principal, policy: policy) }
            #expect(refusal.retryAfter > .zero && refusal.retryAfter <= .seconds(3))
            // Waiting the reported retry-after is the behaviour under test: it must be enough.
            try await Task.sleep(for: refusal.retryAfter)
            let again = try await limiter.check(principal: principal, policy: policy)
            #expect(again.allowed)
            #expect(again.remaining == 0)
            let next = try await limiter.check(principal: principal, policy: policy)
            #expect(!next.allowed)
            _ = try await client.execute(["DEL", RateLimitKeys().principalKey(principal)])
        }
    }

    @Test func modelRefusalDoesNotConsumeThePrincipalsQuota() async throws {
        let principalPolicy = RateLimitPolicy.perMinute(5)
        let modelPolicy = RateLimitPolicy.perMinute(2)
        let principal = RateLimitTestServer.principal("model")
        let keys = RateLimitKeys()
        try await withRedisClient(configuration: RateLimitTestServer.configuration()) { client in
            let limiter = RateLimiter(client: client, metricsFactory: RecordingMetricsFactory())
            func check(_ model: String?) async throws -> RateLimitDecision {
                try await limiter.check(
                    principal: principal, policy: principalPolicy, model: model,
                    modelPolicy: model.map { _ in modelPolicy })
            }
            let started = ContinuousClock.now
            #expect(try await check("resnet").allowed)
            #expect(try await check("resnet").allowed)
            for _ in 0..<10 {
                let refused = try await check("resnet")
                // The window opened at the first check: what is left of it, give or take a
                // second of clock granularity, however long the checks took.
                let left = .seconds(30) - started.duration(to: .now)
                #expect(!refused.allowed)
                #expect(refused.limit == 2)
                #expect(refused.retryAfter > left - .seconds(1) && refused.retryAfter <= .seconds(30))
            }
            // 2 of the principal's 5 are used; the 10 refusals took none.
            var principalOnly: [Bool] = []
            for _ in 0..<10 { principalOnly.append(try await check(nil).allowed) }
            #expect(principalOnly.filter { $0 }.count == 3)

            // The principal refusing charges no other model either.
            let other = try await check("bert")
            #expect(!other.allowed)
            #expect(other.limit == 5)
            let otherKey = keys.modelKey(principal: principal, model: "bert")
            #expect(try await client.execute(["EXISTS", otherKey]) == .integer(0))
            _ = try await client.execute([
                "DEL", keys.principalKey(principal), keys.modelKey(principal: principal, model: "resnet"),
            ])
        }
    }

    @Test func keysAreNamespacedAndExpireWhenNoLongerNeeded() async throws {
        let principal = RateLimitTestServer.principal("keys")
        try await withRedisClient(configuration: RateLimitTestServer.configuration()) { client in
            let limiter = RateLimiter(client: client, metricsFactory: RecordingMetricsFactory())
            // Intervals of 10 and 20 min: each key's expiry is its interval, far longer than the calls here.
            let decision = try await limiter.check(
                principal: principal, policy: RateLimitPolicy(limit: 1, period: .seconds(600)), model: "digits",
                modelPolicy: RateLimitPolicy(limit: 1, period: .seconds(1200)))
            #expect(decision.allowed)
            let principalKey = "rl:{\(principal)}"
            let modelKey = "rl:{\(principal)}:{digits}"
            let principalTTL = try await client.execute(["PTTL", principalKey]).intValue ?? -2
            let modelTTL = try await client.execute(["PTTL", modelKey]).intValue ?? -2
            #expect(principalTTL > 540_000 && principalTTL <= 600_000, "PTTL \(principalTTL) ms")
            #expect(modelTTL > 1_140_000 && modelTTL <= 1_200_000, "PTTL \(modelTTL) ms")
            _ = try await client.execute(["DEL", principalKey, modelKey])

            // A key of a 100 ms interval is gone once its state no longer matters.
            let short = RateLimitTestServer.principal("expiring")
            #expect(try await limiter.check(principal: short, policy: .perSecond(10)).allowed)
            try await eventually("rl:{\(short)} expires") {
                try await client.execute(["EXISTS", "rl:{\(short)}"]) == .integer(0)
            }
        }
    }

    @Test func failOpenAdmitsAndLogsTheOutageOnce() async throws {
        let (logger, logs) = RecordingLogHandler.logger()
        let metrics = RecordingMetricsFactory()
        let dead = RedisConfiguration(port: try LoopbackPort.unused())
        try await withRedisClient(configuration: dead) { client in
            let limiter = RateLimiter(
                client: client,
                // No wait between probes: every one of the 20 checks asks the dead Redis again.
                configuration: RateLimiterConfiguration(failureMode: .open, probeInterval: .zero),
                logger: logger, metricsFactory: metrics)
            #expect(metrics.value("rate_limit_redis_available") == 1)
            for _ in 0..<20 {
                let decision = try await limiter.check(principal: "p", policy: .perSecond(1))
                #expect(decision.allowed)
                #expect(!decision.enforced)
                #expect(decision.headerFields.isEmpty)
            }
            #expect(!limiter.isRedisAvailable)
            #expect(logs.messages == ["rate_limit.redis.unavailable"])
            #expect(logs.all.first?.metadata[RateLimitLogKey.failureMode] == "open")
            #expect(metrics.value("rate_limit_decisions_total", [("outcome", "fail_open")]) == 20)
            #expect(metrics.value("rate_limit_redis_available") == 0)
        }
    }

    @Test func failClosedRefusesWithRetryAfter() async throws {
        let (logger, logs) = RecordingLogHandler.logger()
        let metrics = RecordingMetricsFactory()
        let dead = RedisConfiguration(port: try LoopbackPort.unused())
        try await withRedisClient(configuration: dead) { client in
            let limiter = RateLimiter(
                client: client, configuration: RateLimiterConfiguration(failureMode: .closed(retryAfter: .seconds(2))),
                logger: logger, metricsFactory: metrics)
            for _ in 0..<20 {
                let decision = try await limiter.check(principal: "p", policy: .perSecond(100))
                #expect(!decision.allowed)
                #expect(!decision.enforced)
                #expect(decision.retryAfter == .seconds(2))
                #expect(decision.headerFields.map(\.name) == ["Retry-After"])
                #expect(decision.headerFields.map(\.value) == ["2"])
            }
            #expect(logs.messages == ["rate_limit.redis.unavailable"])
            #expect(logs.all.first?.level == .error)
            #expect(metrics.value("rate_limit_decisions_total", [("outcome", "fail_closed")]) == 20)
        }
    }
}
