import TritonClient
import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import TestSupport
import Testing

@testable import Routing
@testable import RouterApp

@Suite("Router admin API and routes reload")
struct RouterAdminTests {
    static let secret = "5a0f1e2d3c4b5a69788796a5b4c3d2e1"

    /// `Authorization: Bearer <secret>`.
    static var authorized: HTTPFields { [.authorization: "Bearer \(secret)"] }

    static func withRouter(
        backends: [BackendDescriptor] = [BackendDescriptor(id: "a", url: "http://127.0.0.1:1")],
        routes: [ModelRoute], configuration: RouterConfiguration = RouterConfiguration(),
        adminToken: AdminToken? = AdminToken(secret), probeFirst: Bool = false,
        _ body: (ModelRouter, Router<BasicRequestContext>) async throws -> Void
    ) async throws {
        let transport = CurlHTTPTransport()
        let router = try ModelRouter(
            backends: backends, routes: routes, configuration: configuration,
            connector: TritonConnector(transport: transport),
            logger: Logger(label: "test"))
        if probeFirst {
            let monitor = HealthMonitor(router: router)
            try await eventually("the router has read a backend's model repository") {
                await monitor.probeAll()
                return router.withState { $0.catalog.isLoaded }
            }
        }
        let http = RouterApplication.httpRouter(
            router: router, registry: PrometheusCollectorRegistry(), maxBodyBytes: 1 << 20, adminToken: adminToken)
        do {
            try await body(router, http)
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }

    @Test("PUT /admin/routes/{model} applies valid weights at once and refuses invalid ones with 400")
    func putRoutes() async throws {
        try await Self.withRouter(routes: []) { router, http in
            let app = Application(router: http)
            try await app.test(.router) { client in
                let valid = #"{"targets":[{"version":"1","weight":70},{"version":"2","weight":30}]}"#
                try await client.execute(
                    uri: "/admin/routes/digits", method: .put, headers: Self.authorized, body: ByteBuffer(string: valid)
                ) { response in
                    #expect(response.status == .ok)
                }
                #expect(router.routes().first?.targets.map(\.weight) == [70, 30])

                for invalid in [
                    #"{"targets":[{"version":"1","weight":-1}]}"#, #"{"targets":[]}"#, "not json",
                    #"{"model":"other","targets":[{"weight":1}]}"#,
                ] {
                    try await client.execute(
                        uri: "/admin/routes/digits", method: .put, headers: Self.authorized,
                        body: ByteBuffer(string: invalid)
                    ) { response in
                        #expect(response.status == .badRequest, "\(invalid)")
                        #expect(String(buffer: response.body).contains("\"error\""))
                    }
                }
                #expect(router.routes().first?.targets.map(\.weight) == [70, 30], "refused updates change nothing")

                try await client.execute(uri: "/admin/backends", method: .get, headers: Self.authorized) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"breaker\":\"closed\"") && body.contains("\"name\":\"a\""))
                }
                try await client.execute(uri: "/admin/routes", method: .get, headers: Self.authorized) { response in
                    #expect(String(buffer: response.body).contains("\"weight\":70"))
                }
            }
        }
    }

    @Test("the admin API needs the bearer token: none, a wrong one or another scheme is 401 and changes nothing")
    func adminNeedsToken() async throws {
        try await Self.withRouter(routes: []) { router, http in
            let app = Application(router: http)
            try await app.test(.router) { client in
                let update = ByteBuffer(string: #"{"targets":[{"weight":1}]}"#)
                let refused: [HTTPFields] = [
                    [:], [.authorization: "Bearer wrong"], [.authorization: "Bearer \(Self.secret)x"],
                    [.authorization: "Basic \(Self.secret)"], [.authorization: "Bearer"],
                ]
                for headers in refused {
                    for (uri, method) in [("/admin/backends", HTTPRequest.Method.get), ("/admin/routes", .get)] {
                        try await client.execute(uri: uri, method: method, headers: headers) { response in
                            #expect(response.status == .unauthorized, "\(method) \(uri) with \(headers)")
                            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                        }
                    }
                    try await client.execute(uri: "/admin/routes/evil", method: .put, headers: headers, body: update) {
                        response in
                        #expect(response.status == .unauthorized)
                    }
                }
                #expect(router.routes().isEmpty, "no refused request changed the routes")
                try await client.execute(
                    uri: "/admin/routes/simple", method: .put, headers: Self.authorized, body: update
                ) { response in
                    #expect(response.status == .ok)
                }
                #expect(router.routes().map(\.model) == ["simple"])
            }
        }
    }

    @Test("without a configured token the admin API refuses everything with 403")
    func adminDisabledWithoutToken() async throws {
        try await Self.withRouter(routes: [], adminToken: nil) { router, http in
            let app = Application(router: http)
            try await app.test(.router) { client in
                for headers: HTTPFields in [[:], Self.authorized, [.authorization: "Bearer "]] {
                    try await client.execute(uri: "/admin/backends", method: .get, headers: headers) { response in
                        #expect(response.status == .forbidden)
                        #expect(String(buffer: response.body).contains("ROUTER_ADMIN_TOKEN"))
                    }
                    try await client.execute(
                        uri: "/admin/routes/simple", method: .put, headers: headers,
                        body: ByteBuffer(string: #"{"targets":[{"weight":1}]}"#)
                    ) { response in
                        #expect(response.status == .forbidden)
                    }
                }
                #expect(router.routes().isEmpty)
            }
        }
    }

    @Test("editing the routes file reloads the routes; a broken edit keeps the last good ones")
    func reload() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID()).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func write(_ weights: (Int, Int)) throws {
            try """
            routes:
              - model: digits
                targets: [{ version: "1", weight: \(weights.0) }, { version: "2", weight: \(weights.1) }]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write((90, 10))
        try await Self.withRouter(routes: try RoutingSpec.load(path: path).routes) { router, _ in
            let watcher = RouteFileWatcher(
                path: path, router: router, interval: .milliseconds(50), logger: Logger(label: "test"))
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            try write((50, 50))
            try await eventually("the 50/50 edit applied") { router.routes().first?.targets.map(\.weight) == [50, 50] }
            try "routes: [ {model: digits, targets: [] } ]".write(toFile: path, atomically: true, encoding: .utf8)
            // The reload the watcher makes on this change, made here so its result can be seen.
            #expect(watcher.reload() == false, "a file that does not validate is not applied")
            #expect(router.routes().first?.targets.map(\.weight) == [50, 50])
        }
    }
}
