import CurlHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InferenceProtocol
import Logging
import Prometheus
import TestSupport
import Testing

@testable import RouterApp
@testable import Routing

/// The router's HTTP surface in process, over the stack's two real Tritons.
@Suite(
    "Router hardening over the stack's Tritons", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct RouterHardeningTests {
    static let simpleBody =
        #"{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},"#
        + #"{"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}"#

    /// A router over triton-a and triton-b whose model catalog has been read once.
    static func withStackRouter(_ body: (ModelRouter, Router<BasicRequestContext>) async throws -> Void) async throws {
        let urls = StackEnvironment.current.tritonURLs
        guard urls.count >= 2 else { throw StackNotConfigured(variable: "TRITON_URLS") }
        try await RouterAdminTests.withRouter(
            backends: [
                BackendDescriptor(id: "triton-a", url: urls[0]), BackendDescriptor(id: "triton-b", url: urls[1]),
            ],
            routes: [ModelRoute(model: "digits", targets: [RouteTarget(version: "1", weight: 1)])],
            configuration: RouterConfiguration(randomSeed: 11), adminToken: nil, probeFirst: true, body)
    }

    @Test(
        "Inference-Header-Content-Length that is negative, not a number or past the body is 400 naming it",
        arguments: ["-1", "abc", "100000", "-9223372036854775808"])
    func headerLengthRefused(value: String) async throws {
        try await Self.withStackRouter { _, http in
            try await Application(router: http).test(.router) { client in
                let headers: HTTPFields = [
                    .contentType: "application/octet-stream", HTTPField.Name("x-request-timeout-ms")!: "1000",
                    HTTPField.Name("Inference-Header-Content-Length")!: value,
                ]
                try await client.execute(
                    uri: "/v2/models/simple/infer", method: .post, headers: headers,
                    body: ByteBuffer(string: Self.simpleBody)
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("Inference-Header-Content-Length"))
                }
                // The same body with a truthful header length is served.
                let valid: HTTPFields = [
                    .contentType: "application/octet-stream", HTTPField.Name("x-request-timeout-ms")!: "30000",
                    HTTPField.Name("Inference-Header-Content-Length")!: String(Self.simpleBody.utf8.count),
                ]
                try await client.execute(
                    uri: "/v2/models/simple/infer", method: .post, headers: valid,
                    body: ByteBuffer(string: Self.simpleBody)
                ) { response in
                    #expect(response.status == .ok, "\(String(buffer: response.body))")
                }
            }
        }
    }

    @Test("GET /v2 is the router's own metadata, announcing only what it serves end to end")
    func serverMetadata() async throws {
        try await Self.withStackRouter { _, http in
            try await Application(router: http).test(.router) { client in
                try await client.execute(uri: "/v2", method: .get) { response in
                    #expect(response.status == .ok)
                    let metadata = try JSONDecoder().decode(ServerMetadata.self, from: Data(buffer: response.body))
                    #expect(metadata.name == "triton-router")
                    #expect(
                        Set(metadata.extensions) == [
                            "binary_tensor_data", "classification", "model_configuration", "parameters",
                        ])
                    for unserved in [
                        "system_shared_memory", "cuda_shared_memory", "sequence", "trace", "logging",
                        "model_repository", "statistics",
                    ] {
                        #expect(!metadata.supports(unserved), "\(unserved) is not served by the router")
                    }
                }
                // model_configuration is announced: it is served through the router.
                try await client.execute(uri: "/v2/models/simple/config", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("\"name\":\"simple\""))
                }
            }
        }
    }

    @Test("300 made-up model names and versions are 404 and leave the router's state as it was")
    func unknownModelsCreateNoState() async throws {
        try await Self.withStackRouter { router, http in
            try await Application(router: http).test(.router) { client in
                let json: HTTPFields = [.contentType: "application/json"]
                for uri in ["/v2/models/simple/infer", "/v2/models/digits/versions/1/infer"] {
                    try await client.execute(uri: uri, method: .post, headers: json, body: ByteBuffer(string: "{}")) {
                        response in
                        #expect(response.status != .notFound, "\(uri) is known")
                    }
                }
                let before = router.withState { $0.balancerCount }
                var generator = SplitMix64(seed: 2026)
                for index in 0..<300 {
                    let name = "m\(generator.next() % 1_000_000_000)"
                    var headers = json
                    let uri: String
                    switch index % 3 {
                    case 0: uri = "/v2/models/\(name)/infer"
                    case 1: uri = "/v2/models/\(name)/versions/\(index)/ready"
                    default:
                        uri = "/v2/models/simple/infer"
                        headers[HTTPField.Name("x-model-version")!] = name
                    }
                    let method: HTTPRequest.Method = uri.hasSuffix("/infer") ? .post : .get
                    try await client.execute(
                        uri: uri, method: method, headers: headers, body: ByteBuffer(string: Self.simpleBody)
                    ) { response in
                        #expect(response.status == .notFound, "\(uri) \(headers)")
                    }
                }
                #expect(router.withState { $0.balancerCount } == before, "no balancer was made for a made-up name")
            }
        }
    }
}
