import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PlatformStore
import PostgresClient
import Prometheus
import Routing
import TestSupport
import Testing
import TritonClient

@testable import RouterApp

/// Two router replicas sharing routes through the stack's PostgreSQL, each test in a schema of
/// its own (notifications are database-wide; a replica reloads from its own schema, so the stack's
/// router, listening on the same channel, finds nothing new).
@Suite(
    "Routes shared by every router replica (PostgreSQL LISTEN/NOTIFY)",
    .enabled(
        if: StackEnvironment.current.values["POSTGRES_URL"] != nil || StackEnvironment.current.requiresStack,
        "POSTGRES_URL not set: run `make up` first"))
struct SharedRoutesTests {
    static let logger = Logger(label: "shared-routes-tests")
    static let fileRoutes = [
        ModelRoute.single("simple"), ModelRoute(model: "digits", targets: [RouteTarget(version: "1", weight: 1)]),
    ]

    /// One router with its shared routes, not yet running.
    struct Replica: Sendable {
        let router: ModelRouter
        let shared: SharedRoutes

        /// Its HTTP surface (KServe v2 and `/admin`).
        var http: Router<BasicRequestContext> {
            RouterApplication.httpRouter(
                router: router, registry: PrometheusCollectorRegistry(), maxBodyBytes: 1 << 20,
                adminToken: AdminToken(RouterAdminTests.secret), sharedRoutes: shared)
        }
    }

    static func replica(pool: PostgresPool, url: String, transport: CurlHTTPTransport) throws -> Replica {
        let router = try ModelRouter(
            backends: [BackendDescriptor(id: "a", url: "http://127.0.0.1:1")], routes: fileRoutes,
            connector: TritonConnector(transport: transport), logger: logger)
        let listener = PostgresListener(
            configuration: .init(
                connection: PostgresConfiguration(connectionString: url, poolSize: 1),
                channel: PlatformMigrations.routeChangesChannel),
            logger: logger)
        let shared = SharedRoutes(store: RouteStore(pool: pool), listener: listener, router: router, logger: logger)
        return Replica(router: router, shared: shared)
    }

    /// Runs `body` with a pool confined to a new, migrated schema, dropped afterwards.
    static func withSchema(_ body: (_ pool: PostgresPool, _ url: String) async throws -> Void) async throws {
        let url = try StackEnvironment.current.require("POSTGRES_URL")
        try await TestSchema.with(prefix: "routes_test_") { pool, _ in try await body(pool, url) }
    }

    static func canary(_ weights: (Int, Int)) -> String {
        #"{"targets":[{"version":"1","weight":\#(weights.0)},{"version":"2","weight":\#(weights.1)}]}"#
    }

    static func weights(_ router: ModelRouter, _ model: String) -> [Int] {
        router.routes().first { $0.model == model }?.targets.map(\.weight) ?? []
    }

    @Test("a change taken by one replica is served by the other, over its routes file, with an audit trail")
    func changePropagates() async throws {
        try await Self.withSchema { pool, url in
            let transport = CurlHTTPTransport()
            let first = try Self.replica(pool: pool, url: url, transport: transport)
            let second = try Self.replica(pool: pool, url: url, transport: transport)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await first.shared.run() }
                group.addTask { try await second.shared.run() }
                try await Application(router: first.http).test(.router) { client in
                    var headers = RouterAdminTests.authorized
                    headers[HTTPField.Name("x-changed-by")!] = "alice"
                    try await client.execute(
                        uri: "/admin/routes/simple", method: .put, headers: headers,
                        body: ByteBuffer(string: Self.canary((90, 10)))
                    ) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body).contains(#""version":"#))
                    }
                    // The replica that took the change serves it when it answers.
                    #expect(Self.weights(first.router, "simple") == [90, 10])
                    try await eventually("the other replica serves the first change") {
                        Self.weights(second.router, "simple") == [90, 10]
                    }

                    // Both listen now: time the next change from the answer to the other replica.
                    let started = ContinuousClock.now
                    try await client.execute(
                        uri: "/admin/routes/simple", method: .put, headers: headers,
                        body: ByteBuffer(string: Self.canary((50, 50)))
                    ) { response in #expect(response.status == .ok) }
                    try await eventually("the other replica serves the second change") {
                        Self.weights(second.router, "simple") == [50, 50]
                    }
                    print(
                        "shared routes: the other replica served the change \(started.duration(to: .now)) after it was made"
                    )

                    let version = first.router.sharedRoutesVersion
                    #expect(version > 0)
                    #expect(second.router.sharedRoutesVersion == version)
                    // The routes file's other route stays; a file reload keeps the shared route over it.
                    #expect(Self.weights(second.router, "digits") == [1])
                    try second.router.replaceRoutes(Self.fileRoutes)
                    #expect(Self.weights(second.router, "simple") == [50, 50])

                    try await client.execute(uri: "/admin/routes", method: .get, headers: headers) { response in
                        let body = String(buffer: response.body)
                        #expect(body.contains(#""shared":true"#))
                        #expect(body.contains(#""version":\#(version)"#))
                    }
                    try await client.execute(uri: "/admin/routes/simple/history", method: .get, headers: headers) {
                        response in
                        let answer =
                            try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                        let changes = answer?["changes"] as? [[String: Any]] ?? []
                        #expect(changes.count == 2)
                        #expect(changes.first?["version"] as? Int == Int(version))
                        #expect(changes.allSatisfy { $0["changed_by"] as? String == "alice" })
                        #expect(changes.allSatisfy { $0["changed_at"] is String })
                    }
                }
                group.cancelAll()
            }
            await transport.shutdown()
        }
    }

    @Test("a replica that was not listening when a change was made serves it once it listens")
    func catchesUpAfterAbsence() async throws {
        try await Self.withSchema { pool, url in
            let transport = CurlHTTPTransport()
            let first = try Self.replica(pool: pool, url: url, transport: transport)
            let late = try Self.replica(pool: pool, url: url, transport: transport)
            try await Application(router: first.http).test(.router) { client in
                try await client.execute(
                    uri: "/admin/routes/digits", method: .put, headers: RouterAdminTests.authorized,
                    body: ByteBuffer(string: Self.canary((70, 30)))
                ) { response in #expect(response.status == .ok) }
            }
            #expect(Self.weights(late.router, "digits") == [1])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await late.shared.run() }
                try await eventually("the late replica serves the change made before it listened") {
                    Self.weights(late.router, "digits") == [70, 30]
                }
                #expect(late.router.sharedRoutesVersion == first.router.sharedRoutesVersion)
                group.cancelAll()
            }
            await transport.shutdown()
        }
    }

    @Test("an author header that is too long or holds control characters is a 400 and stores nothing")
    func authorChecked() async throws {
        try await Self.withSchema { pool, url in
            let transport = CurlHTTPTransport()
            let replica = try Self.replica(pool: pool, url: url, transport: transport)
            try await Application(router: replica.http).test(.router) { client in
                for author in [
                    String(repeating: "a", count: AdminRoutes<BasicRequestContext>.maxAuthorLength + 1), "a\u{85}b",
                ] {
                    var headers = RouterAdminTests.authorized
                    headers[HTTPField.Name("x-changed-by")!] = author
                    try await client.execute(
                        uri: "/admin/routes/simple", method: .put, headers: headers,
                        body: ByteBuffer(string: Self.canary((1, 1)))
                    ) { response in
                        #expect(response.status == .badRequest)
                        #expect(String(buffer: response.body).contains("x-changed-by"))
                    }
                }
            }
            #expect(try await RouteStore(pool: pool).routes().isEmpty)
            await transport.shutdown()
        }
    }
}
