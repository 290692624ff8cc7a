import CurlHTTP
import Foundation
import PlatformStore
import PostgresClient
import Prometheus
import RateLimiting
import TestSupport
import Testing

@testable import Gateway

/// Authentication under abuse and failure, against the stack's PostgreSQL and Redis: unknown
/// API keys are cached, failed authentications are limited per client address, and a database
/// that hangs answers 503 promptly.
@Suite(
    "Authentication hardening", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["POSTGRES_URL"] != nil, "POSTGRES_URL not set: run `make up` first"))
struct AuthHardeningTests {
    static func randomKey() -> String {
        "tgk_"
            + String(
                (0..<43).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".randomElement()!
                })
    }

    @Test("the same unknown key ten times costs PostgreSQL one query; a known key is served from the cache")
    func negativeAndPositiveCache() async throws {
        try await APIKeyTests.withStore { store in
            let known = try await store.create(principal: "cache-" + UUID().uuidString.prefix(8), scopes: ["infer"])
            try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
                let unknown = [(name: "x-api-key", value: Self.randomKey())]
                for _ in 0..<10 {
                    let answer = try await gateway.send("GET", "/v2/models/simple", headers: unknown)
                    #expect(answer.status == 401, "\(answer.text)")
                }
                #expect(gateway.metric("gateway_api_key_lookups_total", [("result", "queried")]) == 1)
                #expect(gateway.metric("gateway_api_key_lookups_total", [("result", "cached_invalid")]) == 9)
                for _ in 0..<5 {
                    let answer = try await gateway.send(
                        "GET", "/v2/models/simple", headers: [(name: "x-api-key", value: known.key)])
                    #expect(answer.status == 200, "\(answer.text)")
                }
                #expect(gateway.metric("gateway_api_key_lookups_total", [("result", "queried")]) == 2)
                #expect(gateway.metric("gateway_api_key_lookups_total", [("result", "cached")]) == 4)
            }
        }
    }

    @Test("past the failure allowance an address gets 429 with Retry-After and no more queries; good tokens still work")
    func failuresLimitedPerAddress() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.auth.failures = RateLimitPolicy(limit: 3, period: .seconds(3600), burst: 3)
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings) { gateway in
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(
                    try await gateway.send("GET", "/v2/models/simple", headers: [("x-api-key", Self.randomKey())])
                        .status)
            }
            #expect(statuses == [401, 401, 401])
            let refused = try await gateway.send("GET", "/v2/models/simple", headers: [("x-api-key", Self.randomKey())])
            #expect(refused.status == 429, "\(refused.text)")
            let retryAfter = try #require(refused.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 1200)
            #expect(refused.errorMessage.contains("failed authentications"))
            let queriesBefore = gateway.metric("gateway_api_key_lookups_total", [("result", "queried")])
            for _ in 0..<5 {
                let blocked = try await gateway.send(
                    "GET", "/v2/models/simple", headers: [("x-api-key", Self.randomKey())])
                #expect(blocked.status == 429)
            }
            #expect(gateway.metric("gateway_api_key_lookups_total", [("result", "queried")]) == queriesBefore)
            // Bad tokens count too; a valid one from the same address is not locked out.
            let forged = try await TokenFactory.hs256(TokenFactory.claims(), secret: String(repeating: "x", count: 40))
            #expect(try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(forged)).status == 429)
            let good = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
            #expect(good.status == 200, "\(good.text)")
        }
    }

    @Test("a database that accepts connections and never answers: an API key gets 503 naming the timeout")
    func hangingDatabase() async throws {
        let silent = try SilentTCPServer()
        var settings = try GatewayFixture.stackSettings()
        settings.postgresURL = "postgresql://inference:not-the-real-pw@127.0.0.1:\(silent.port)/inference"
        settings.migrateOnStart = false
        settings.postgresLeaseTimeout = .milliseconds(300)
        try await GatewayFixture.with(settings) { gateway in
            for _ in 0..<3 {
                let answer = try await gateway.send(
                    "GET", "/v2/models/simple", headers: [("x-api-key", Self.randomKey())], timeout: .seconds(60))
                #expect(answer.status == 503, "\(answer.text)")
                #expect(answer.errorMessage.contains("did not answer in time"))
                #expect(answer.header("Retry-After") != nil)
            }
        }
        withExtendedLifetime(silent) {}
    }

    @Test("a known key keeps working from the cache while PostgreSQL cannot be asked, within the stale limit")
    func knownKeyDuringOutage() async throws {
        let pool = PostgresPool(
            configuration: .init(connectionString: try StackEnvironment.current.require("POSTGRES_URL")))
        try await Migrator(pool: pool).apply(PlatformMigrations.all)
        let store = APIKeyStore(pool: pool)
        let key = try await store.create(principal: "outage-" + UUID().uuidString.prefix(8), scopes: ["infer"])
        let clock = TestClock()
        let cache = CachingAPIKeyStore(
            store: store, policy: .init(ttl: .seconds(15), staleIfError: .seconds(60)),
            metricsFactory: PrometheusMetricsFactory(registry: PrometheusCollectorRegistry()), now: { clock.now })
        #expect(try await cache.query(key.key) == .valid(try #require(try await store.lookup(key.key))))
        await pool.shutdown()  // From here on every query fails.
        clock.advance(by: .seconds(20))
        #expect(cache.cachedOutcome(key.key) == nil, "past the TTL the cache asks the store")
        guard case .valid = try await cache.query(key.key) else {
            Issue.record("a key valid 20 s ago should keep working while the store is down")
            return
        }
        clock.advance(by: .seconds(60))
        await #expect(throws: PostgresError.self) { try await cache.query(key.key) }
    }
}
