import InferenceProtocol
import CurlHTTP
import Foundation
import Gateway
import PlatformStore
import PostgresClient
import TestSupport
import Testing

@Suite(
    "API keys through the gateway", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["POSTGRES_URL"] != nil, "POSTGRES_URL not set: run `make up` first"))
struct APIKeyTests {
    /// Runs `body` with a key store on the stack's PostgreSQL (schema migrated).
    static func withStore(_ body: (APIKeyStore) async throws -> Void) async throws {
        let pool = PostgresPool(
            configuration: .init(connectionString: try StackEnvironment.current.require("POSTGRES_URL")))
        do {
            try await Migrator(pool: pool).apply(PlatformMigrations.all)
            try await body(APIKeyStore(pool: pool))
        } catch {
            await pool.shutdown()
            throw error
        }
        await pool.shutdown()
    }

    @Test("create → use → revoke → refused within the cache TTL, and a revoked key never works again")
    func lifecycle() async throws {
        try await Self.withStore { store in
            let principal = "svc-" + UUID().uuidString.prefix(8).lowercased()
            let key = try await store.create(principal: principal, scopes: ["infer"])
            var settings = try GatewayFixture.stackSettings()
            settings.auth.apiKeyTTL = .seconds(1)
            try await GatewayFixture.with(settings) { gateway in
                let headers = [(name: "x-api-key", value: key.key)]
                let used = try await gateway.send("GET", "/v2/models/simple", headers: headers)
                #expect(used.status == 200, "\(used.text)")
                #expect(used.header("RateLimit-Limit") != nil)

                #expect(try await store.revoke(key.id))
                // Revocation reaches this gateway when the key's cache entry expires (1 s here).
                let status = try await eventuallyValue("the revoked key refused", every: .milliseconds(100)) {
                    let status = try await gateway.send("GET", "/v2/models/simple", headers: headers).status
                    return status == 200 ? nil : status
                }
                #expect(status == 401)
                for _ in 0..<3 {
                    let refused = try await gateway.send("GET", "/v2/models/simple", headers: headers)
                    #expect(refused.status == 401)
                    #expect(refused.errorMessage.contains("revoked"))
                    #expect(!refused.text.contains(key.key))
                }
                #expect(try await store.revoke(key.id) == false)
            }
        }
    }

    @Test("a key without the route's scope gets 403; an unknown key 401; a key's own rate applies")
    func scopesAndRates() async throws {
        try await Self.withStore { store in
            let batchOnly = try await store.create(principal: "batch-" + UUID().uuidString.prefix(8), scopes: ["batch"])
            let slow = try await store.create(
                principal: "slow-" + UUID().uuidString.prefix(8), scopes: ["infer"], rateLimit: 2)
            try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
                let forbidden = try await gateway.send(
                    "GET", "/v2/models/simple", headers: [("x-api-key", batchOnly.key)])
                #expect(forbidden.status == 403, "\(forbidden.text)")
                let unknown = try await gateway.send(
                    "GET", "/v2/models/simple", headers: [("x-api-key", "tgk_" + String(repeating: "A", count: 43))])
                #expect(unknown.status == 401)
                // 2 per second, burst 2: of 12 requests at once at least 2 pass and, unless the
                // machine takes over 5 s to send them, some are refused; every answer reports the
                // key's own limit (2), not the default.
                let answers = try await withThrowingTaskGroup(of: UpstreamResponse.self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            try await gateway.send("GET", "/v2/models/simple", headers: [("x-api-key", slow.key)])
                        }
                    }
                    return try await group.reduce(into: [UpstreamResponse]()) { $0.append($1) }
                }
                let statuses = answers.map(\.status)
                #expect(statuses.filter { $0 == 200 }.count >= 2, "\(statuses)")
                #expect(statuses.contains(429), "\(statuses)")
                #expect(answers.allSatisfy { $0.header("RateLimit-Limit") == "2" })
            }
        }
    }
}
