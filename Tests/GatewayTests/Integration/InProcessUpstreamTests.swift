import Configuration
import Foundation
import Gateway
import InferenceProtocol
import Routing
import TestSupport
import Testing

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
}
