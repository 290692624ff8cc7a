import CurlHTTP
import Foundation
import InferenceProtocol
import Logging
import TestSupport
import TritonClient

@testable import Routing

/// An in-process ModelRouter over given backends, with its own transport.
struct RouterFixture {
    let router: ModelRouter
    let transport: CurlHTTPTransport

    /// The stack's two Tritons as `triton-a` and `triton-b`.
    static func stackBackends() throws -> [BackendDescriptor] {
        let urls = StackEnvironment.current.tritonURLs
        guard urls.count >= 2 else { throw StackNotConfigured(variable: "TRITON_URLS") }
        return [
            BackendDescriptor(id: "triton-a", url: urls[0]),
            BackendDescriptor(id: "triton-b", url: urls[1]),
        ]
    }

    init(backends: [BackendDescriptor], routes: [ModelRoute], configuration: RouterConfiguration = .init(randomSeed: 7))
        throws
    {
        transport = CurlHTTPTransport()
        router = try ModelRouter(
            backends: backends, routes: routes, configuration: configuration,
            connector: TritonConnector(transport: transport),
            logger: Logger(label: "router-test"))
    }

    /// Runs `body` with a fixture and shuts its transport down afterwards.
    static func with(
        backends: [BackendDescriptor], routes: [ModelRoute] = [],
        configuration: RouterConfiguration = .init(randomSeed: 7),
        _ body: (RouterFixture) async throws -> Void
    ) async throws {
        let fixture = try RouterFixture(backends: backends, routes: routes, configuration: configuration)
        do {
            try await fixture.readModelCatalog()
            try await body(fixture)
        } catch {
            await fixture.transport.shutdown()
            throw error
        }
        await fixture.transport.shutdown()
    }
}

extension RouterFixture {
    /// Reads each backend's repository index into the router, as its health monitor does at start,
    /// without recording probe results (tests of unhealthy backends start from unknown health).
    func readModelCatalog() async throws {
        for backend in router.withState({ $0.backends.map(\.id) }) {
            guard let client = router.client(for: backend),
                let index = try? await client.repositoryIndex(deadline: .now + .seconds(5))
            else { continue }
            router.withState { $0.recordIndex(backend: backend, index: index) }
        }
    }
}

/// A JSON `simple` infer request body (INPUT0 = 0…15, INPUT1 = 1s).
let simpleInferBody = Data(
    """
    {"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},\
    {"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}
    """.utf8)

/// A POST of `simpleInferBody` to a model's infer path.
func inferRequest(
    model: String, version: String? = nil, deadline: ContinuousClock.Instant? = nil, stickyKey: String? = nil
)
    -> UpstreamRequest
{
    UpstreamRequest(
        method: "POST", path: KServePath.modelPath(model, version: version) + "/infer",
        headers: [(name: "Content-Type", value: "application/json")], body: simpleInferBody, deadline: deadline,
        stickyKey: stickyKey)
}

/// A binary-tensor infer request classifying one held-out digit PNG on `digits`.
func digitInferRequest() throws -> UpstreamRequest {
    let png = try DigitsHoldout.load().items[0].png
    var output = InferRequestedOutput(name: "PROBABILITIES")
    output.classification = 1
    let request = InferRequest(inputs: [InferTensor(name: "IMAGE", shape: [1, 1], bytes: [png])], outputs: [output])
    let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
    var headers = [(name: "Content-Type", value: "application/octet-stream")]
    if let length = encoded.jsonHeaderLength {
        headers.append((name: "Inference-Header-Content-Length", value: String(length)))
    }
    return UpstreamRequest(method: "POST", path: "/v2/models/digits/infer", headers: headers, body: encoded.body)
}
