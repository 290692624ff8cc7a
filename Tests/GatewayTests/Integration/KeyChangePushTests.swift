import CurlHTTP
import Foundation
import Gateway
import PlatformStore
import PostgresClient
import TestSupport
import Testing

/// API-key changes pushed by PostgreSQL (LISTEN/NOTIFY) to live gateways, and API-key traffic
/// through a PostgreSQL outage, against the stack's PostgreSQL, Redis and router. An outage is
/// one gateway's path to PostgreSQL cut by a proxy; the shared server keeps running.
@Suite(
    "API-key changes pushed to gateways", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["POSTGRES_URL"] != nil, "POSTGRES_URL not set: run `make up` first"))
struct KeyChangePushTests {
    static func apiKey(_ key: NewAPIKey) -> [(name: String, value: String)] { [(name: "x-api-key", value: key.key)] }

    static func principal(_ name: String) -> String { name + "-" + UUID().uuidString.prefix(8).lowercased() }

    /// A proxy in front of the stack's PostgreSQL, and `POSTGRES_URL` pointed at it.
    static func proxiedPostgres() throws -> (proxy: TCPProxy, url: String) {
        let url = try StackEnvironment.current.require("POSTGRES_URL")
        guard var components = URLComponents(string: url), let host = components.host, let port = components.port else {
            throw StackNotConfigured(variable: "POSTGRES_URL (host and port)")
        }
        let proxy = try TCPProxy(upstreamHost: host == "localhost" ? "127.0.0.1" : host, upstreamPort: port)
        components.host = "127.0.0.1"
        components.port = proxy.port
        return (proxy, try #require(components.string))
    }

    @Test("a key revoked in PostgreSQL is refused by two gateways at once (within 1 s), long before its TTL")
    func revocationReachesEveryGateway() async throws {
        try await APIKeyTests.withStore { store in
            let key = try await store.create(principal: Self.principal("push"), scopes: ["infer"])
            let settings = try GatewayFixture.stackSettings()
            #expect(settings.auth.apiKeyTTL == .seconds(300))
            try await GatewayFixture.with(settings) { first in
                try await GatewayFixture.with(settings) { second in
                    for gateway in [first, second] {
                        let used = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(key))
                        #expect(used.status == 200, "\(used.text)")
                        #expect(gateway.metric("gateway_api_key_change_listener_connected") == 1)
                    }
                    let revokedAt = ContinuousClock.now
                    #expect(try await store.revoke(key.id))
                    // The requirement is 1 s; the deadline is 5 s because the poll's own requests take
                    // hundreds of milliseconds on a loaded 2-core machine running every suite at once
                    // (measured: 12-73 ms alone, 477 ms with the suites in parallel). The time taken
                    // is printed for the log.
                    try await eventually(
                        "both gateways refuse the revoked key", within: .seconds(5), every: .milliseconds(10)
                    ) {
                        async let firstStatus = first.send("GET", "/v2/models/simple", headers: Self.apiKey(key)).status
                        async let secondStatus = second.send("GET", "/v2/models/simple", headers: Self.apiKey(key))
                            .status
                        return try await (firstStatus, secondStatus) == (401, 401)
                    }
                    let elapsed = revokedAt.duration(to: .now)
                    print(
                        "revocation latency (requirement 1 s): both gateways refused the key \(elapsed) after revoke() was called"
                    )
                    for gateway in [first, second] {
                        #expect(gateway.metric("gateway_api_key_changes_total", [("event", "key")]) >= 1)
                        let refused = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(key))
                        #expect(refused.status == 401)
                        #expect(refused.errorMessage.contains("revoked"))
                    }
                }
            }
        }
    }

    @Test(
        "through a PostgreSQL outage a known key keeps working past its TTL, an unknown key gets 503, and a key revoked meanwhile is refused once PostgreSQL answers"
    )
    func outage() async throws {
        try await APIKeyTests.withStore { store in
            let known = try await store.create(principal: Self.principal("outage-known"), scopes: ["infer"])
            let revoked = try await store.create(principal: Self.principal("outage-revoked"), scopes: ["infer"])
            let (proxy, url) = try Self.proxiedPostgres()
            defer { proxy.stop() }
            var settings = try GatewayFixture.stackSettings()
            settings.postgresURL = url
            settings.auth.apiKeyTTL = .milliseconds(200)
            settings.auth.apiKeyStaleIfError = .seconds(600)
            try await GatewayFixture.with(settings) { gateway in
                for key in [known, revoked] {
                    let used = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(key))
                    #expect(used.status == 200, "\(used.text)")
                }
                proxy.cut()
                // Each use past the 200 ms TTL asks PostgreSQL, fails, and is served from the entry.
                try await eventually("the known key is served stale, several times", every: .milliseconds(100)) {
                    let answer = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(known))
                    #expect(answer.status == 200, "\(answer.text)")
                    return gateway.metric("gateway_api_key_lookups_total", [("result", "stale")]) >= 3
                }
                let unknown = try await gateway.send(
                    "GET", "/v2/models/simple", headers: [("x-api-key", AuthHardeningTests.randomKey())])
                #expect(unknown.status == 503, "\(unknown.text)")
                #expect(unknown.header("Retry-After") != nil)

                // Revoked while this gateway cannot hear it: the key keeps working from its entry…
                #expect(try await store.revoke(revoked.id))
                let during = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(revoked))
                #expect(during.status == 200, "\(during.text)")
                // …until PostgreSQL answers again.
                proxy.restore()
                try await eventually("the key revoked during the outage is refused", every: .milliseconds(100)) {
                    try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(revoked)).status == 401
                }
                let after = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(known))
                #expect(after.status == 200, "\(after.text)")
            }
        }
    }

    @Test("a key revoked while a gateway's listener was cut off is refused once it listens again, long before its TTL")
    func listenerGap() async throws {
        try await APIKeyTests.withStore { store in
            let key = try await store.create(principal: Self.principal("gap"), scopes: ["infer"])
            let (proxy, url) = try Self.proxiedPostgres()
            defer { proxy.stop() }
            var settings = try GatewayFixture.stackSettings()
            settings.postgresURL = url
            try await GatewayFixture.with(settings) { gateway in
                let used = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(key))
                #expect(used.status == 200, "\(used.text)")
                let resyncs = gateway.metric("gateway_api_key_changes_total", [("event", "resync")])
                proxy.cut()
                try await eventually("the gateway's listener lost its connection") {
                    gateway.metric("gateway_api_key_change_listener_connected") == 0
                }
                #expect(try await store.revoke(key.id))
                let cached = try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(key))
                #expect(cached.status == 200, "within its unpushed TTL (15 s) and nothing pushed: \(cached.text)")
                proxy.restore()
                try await eventually("the revoked key is refused after the listener resynchronises") {
                    try await gateway.send("GET", "/v2/models/simple", headers: Self.apiKey(key)).status == 401
                }
                #expect(gateway.metric("gateway_api_key_changes_total", [("event", "resync")]) > resyncs)
            }
        }
    }

    @Test(
        "gateway.auth.disabled on the local stack lets an unauthenticated infer through; elsewhere the gateway does not start"
    )
    func authDisabled() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.auth.disabled = true
        try await GatewayFixture.with(settings) { gateway in
            let answer = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: [("Content-Type", "application/json")],
                body: Requests.simpleJSON)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("RateLimit-Limit") == nil, "no principal, so no rate limit")
        }
        settings.platformEnvironment = "production"
        settings.postgresURL = nil  // the stack's shipped password would be refused first
        let error = await #expect(throws: GatewayConfigurationError.self) {
            try await GatewayFixture.with(settings) { _ in }
        }
        #expect(error?.description.contains("gateway.auth.disabled") == true, "\(String(describing: error))")
    }
}
