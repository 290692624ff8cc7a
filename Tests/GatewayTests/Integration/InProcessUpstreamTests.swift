import Configuration
import CurlHTTP
import Foundation
import InferenceProtocol
import Logging
import PlatformStore
import RouterApp
import Routing
import TestSupport
import Testing
import TritonClient

@testable import Gateway

@Suite(
    "Gateway with the router linked in", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct InProcessUpstreamTests {
    @Test("the in-process router serves inference, metadata and validation like the remote one")
    func inProcess() async throws {
        let urls = StackEnvironment.current.tritonURLs.enumerated().map { "triton-\($0.offset)=\($0.element)" }
        let reader = ConfigReader(
            provider: EnvironmentVariablesProvider(environmentVariables: [
                "ROUTER_BACKENDS": urls.joined(separator: ",")
            ]))
        var settings = try GatewayFixture.stackSettings()
        settings.upstream = .inProcess
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings, routerSettings: RouterSettings(config: reader)) { gateway in
            // The linked-in router's first probe may not have read a repository yet (503 until then).
            try await eventually("the in-process router knows `simple`") {
                try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token)).status == 200
            }
            let infer = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.jsonBearer(token), body: Requests.simpleJSON)
            #expect(infer.status == 200, "\(infer.text)")
            let decoded = try InferenceCodec.decodeResponse(infer.body, jsonHeaderLength: nil)
            #expect(try decoded.output(named: "OUTPUT0")?.values(as: Int32.self) == (1...16).map(Int32.init))
            #expect(infer.header("x-routed-backend")?.hasPrefix("triton-") == true)

            let invalid = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.jsonBearer(token),
                body: Data("{\"inputs\":[]}".utf8))
            #expect(invalid.status == 400)
            let unknown = try await gateway.send("GET", "/v2/models/no-such-model", headers: Requests.bearer(token))
            #expect(unknown.status == 404)
            let png = try DigitsHoldout.load().items[0].png
            let classify = try await gateway.send(
                "POST", "/v1/models/digits/classify?k=2&version=1",
                headers: Requests.bearer(token) + [("Content-Type", "image/png")], body: png)
            #expect(classify.status == 200, "\(classify.text)")
            let ready = try await gateway.send("GET", "/readyz")
            #expect(ready.status == 200)
        }
    }

    @Test("a route change stored by any router replica reaches the in-process router")
    func sharedRoutes() async throws {
        let url = try StackEnvironment.current.require("POSTGRES_URL")
        try await TestSchema.with(prefix: "gateway_routes_") { pool, _ in
            let urls = StackEnvironment.current.tritonURLs.enumerated().map { "triton-\($0.offset)=\($0.element)" }
            let reader = ConfigReader(
                provider: EnvironmentVariablesProvider(environmentVariables: [
                    "ROUTER_BACKENDS": urls.joined(separator: ",")
                ]))
            let transport = CurlHTTPTransport()
            defer { Task { await transport.shutdown() } }
            let linked = try GatewayApplication.inProcessRouter(
                RouterSettings(config: reader), connector: TritonConnector(transport: transport), pool: pool,
                postgresURL: url, logger: Logger(label: "gateway-shared-routes-test"))
            let shared = try #require(linked.shared, "the gateway's PostgreSQL brings shared routes")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await shared.run() }
                defer { group.cancelAll() }
                await shared.loadAtStart()
                // A change as a router replica's `PUT /admin/routes/digits` stores it.
                let route = ModelRoute(
                    model: "digits", targets: [RouteTarget(version: "1", weight: 1)], strategy: .leastOutstanding)
                let json = String(decoding: try JSONEncoder().encode(route), as: UTF8.self)
                let version = try await RouteStore(pool: pool).save(model: "digits", route: json, changedBy: "test")
                try await eventually("the in-process router serves the stored route") {
                    linked.router.sharedRoutesVersion == version
                        && linked.router.routes().contains { $0.model == "digits" && $0.strategy == .leastOutstanding }
                }
            }
        }
    }
}
