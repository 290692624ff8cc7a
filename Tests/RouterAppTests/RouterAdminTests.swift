import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Routing
import Testing

@testable import RouterApp

@Suite("Router admin API and routes reload")
struct RouterAdminTests {
    static func withRouter(
        routes: [ModelRoute], _ body: (ModelRouter, Router<BasicRequestContext>) async throws -> Void
    ) async throws {
        let transport = CurlHTTPTransport()
        let router = try ModelRouter(
            backends: [BackendDescriptor(id: "a", url: "http://127.0.0.1:1")], routes: routes,
            transport: transport, logger: Logger(label: "test"))
        let http = RouterApplication.httpRouter(
            router: router, registry: PrometheusCollectorRegistry(), maxBodyBytes: 1 << 20)
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
                    uri: "/admin/routes/digits", method: .put, body: ByteBuffer(string: valid)
                ) { response in
                    #expect(response.status == .ok)
                }
                #expect(router.routes().first?.targets.map(\.weight) == [70, 30])

                for invalid in [
                    #"{"targets":[{"version":"1","weight":-1}]}"#, #"{"targets":[]}"#, "not json",
                    #"{"model":"other","targets":[{"weight":1}]}"#,
                ] {
                    try await client.execute(
                        uri: "/admin/routes/digits", method: .put, body: ByteBuffer(string: invalid)
                    ) { response in
                        #expect(response.status == .badRequest, "\(invalid)")
                        #expect(String(buffer: response.body).contains("\"error\""))
                    }
                }
                #expect(router.routes().first?.targets.map(\.weight) == [70, 30], "refused updates change nothing")

                try await client.execute(uri: "/admin/backends", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"breaker\":\"closed\"") && body.contains("\"name\":\"a\""))
                }
                try await client.execute(uri: "/admin/routes", method: .get) { response in
                    #expect(String(buffer: response.body).contains("\"weight\":70"))
                }
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
            #expect(try await Self.eventually { router.routes().first?.targets.map(\.weight) == [50, 50] })
            try "routes: [ {model: digits, targets: [] } ]".write(toFile: path, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(300))
            #expect(router.routes().first?.targets.map(\.weight) == [50, 50])
        }
    }

    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<60 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
