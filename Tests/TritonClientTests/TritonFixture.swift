import Foundation
import InferenceProtocol
import TestSupport
import Testing

import CurlHTTP
@testable import TritonClient

/// Clients for the stack's Triton servers, sharing one transport per test.
struct TritonFixture {
    let transport: CurlHTTPTransport
    let clients: [TritonHTTPClient]

    init(maxConnectionsPerHost: Int = 16) throws {
        let urls = StackEnvironment.current.tritonURLs
        guard !urls.isEmpty else { throw StackNotConfigured(variable: "TRITON_URLS") }
        let transport = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: maxConnectionsPerHost))
        self.transport = transport
        clients = urls.map { TritonHTTPClient(baseURL: $0, transport: transport) }
    }

    var first: TritonHTTPClient { clients[0] }

    /// Runs `body` and shuts the transport down afterwards, whatever happens.
    static func with(
        maxConnectionsPerHost: Int = 16, _ body: (TritonFixture) async throws -> Void
    ) async throws {
        let fixture = try TritonFixture(maxConnectionsPerHost: maxConnectionsPerHost)
        do {
            try await body(fixture)
            await fixture.transport.shutdown()
        } catch {
            await fixture.transport.shutdown()
            throw error
        }
    }
}

/// A `simple` request: INPUT0 and INPUT1 as [1, 16] INT32, asking for both outputs.
func simpleRequest(_ a: [Int32], _ b: [Int32], binaryOutputs: Bool = false) -> InferRequest {
    var out0 = InferRequestedOutput(name: "OUTPUT0")
    var out1 = InferRequestedOutput(name: "OUTPUT1")
    if binaryOutputs {
        out0.binaryData = true
        out1.binaryData = true
    }
    return InferRequest(
        id: nil,
        parameters: [:],
        inputs: [
            InferTensor(name: "INPUT0", shape: [1, 16], values: a),
            InferTensor(name: "INPUT1", shape: [1, 16], values: b),
        ],
        outputs: [out0, out1]
    )
}

/// Checks a `simple` response: OUTPUT0 = a + b and OUTPUT1 = a − b, element by element.
func expectSimpleOutputs(_ response: InferResponse, _ a: [Int32], _ b: [Int32]) throws {
    let sum = try #require(response.output(named: "OUTPUT0")).values(as: Int32.self)
    let difference = try #require(response.output(named: "OUTPUT1")).values(as: Int32.self)
    #expect(sum == zip(a, b).map { $0 &+ $1 })
    #expect(difference == zip(a, b).map { $0 &- $1 })
}
