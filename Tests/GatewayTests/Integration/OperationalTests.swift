import Foundation
import Gateway
import TestSupport
import Testing

@Suite(
    "Operational endpoints, request ids, headers and metrics", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["ROUTER_URL"] != nil, "ROUTER_URL not set: run `make up` first"))
struct OperationalTests {
    @Test("readiness, model listing, OpenAPI document, request ids, rate-limit headers and RED metrics")
    func surface() async throws {
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
            let ready = try await gateway.send("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(
                ready.text.contains("\"redis\":\"ok\"") && ready.text.contains("\"upstream\":\"ok\""), "\(ready.text)")

            let openAPI = try await gateway.send("GET", "/openapi.yaml")
            #expect(openAPI.text.hasPrefix("openapi: 3."), "\(openAPI.text.prefix(40))")

            let models = try await gateway.send("GET", "/v1/models", headers: Requests.bearer(token))
            #expect(models.status == 200)
            #expect(
                models.text.contains("\"name\":\"digits\"") && models.text.contains("\"name\":\"simple\""),
                "\(models.text)")

            let echoed = try await gateway.send(
                "GET", "/v2/models/simple", headers: Requests.bearer(token) + [("x-request-id", "client-chosen-id-1")])
            #expect(echoed.header("x-request-id") == "client-chosen-id-1")
            let generated = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
            #expect(UUID(uuidString: generated.header("x-request-id") ?? "") != nil)
            let replaced = try await gateway.send(
                "GET", "/v2/models/simple",
                headers: Requests.bearer(token) + [("x-request-id", String(repeating: "x", count: 300))])
            #expect(UUID(uuidString: replaced.header("x-request-id") ?? "") != nil)

            // Rate-limit headers on answers of every kind to an authenticated caller.
            let notFound = try await gateway.send("GET", "/v2/models/no-such-model", headers: Requests.bearer(token))
            let invalid = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.jsonBearer(token), body: Data("{".utf8))
            for answer in [echoed, notFound, invalid] {
                #expect(answer.header("RateLimit-Limit") != nil && answer.header("RateLimit-Remaining") != nil)
                #expect(answer.header("RateLimit-Reset") != nil)
            }

            let infer = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.jsonBearer(token), body: Requests.simpleJSON)
            #expect(infer.status == 200)
            let metrics = try await gateway.send("GET", "/metrics").text
            let inferLines = metrics.split(separator: "\n").filter {
                $0.hasPrefix("gateway_requests_total{") && $0.contains(#"route="/v2/models/{model}/infer""#)
                    && $0.contains(#"model="simple""#) && $0.contains(#"status="200""#)
            }
            #expect(
                inferLines.count == 1,
                "\(metrics.split(separator: "\n").filter { $0.contains("gateway_requests_total") })")
            #expect(metrics.contains(#"model="other""#), "an unknown model is labelled other")
            #expect(metrics.contains("gateway_request_duration_seconds"))
            #expect(!metrics.contains("no-such-model"))
        }
    }
}
