import Foundation
import InferenceProtocol
import TestSupport
import Testing

import CurlHTTP
@testable import TritonClient

@Suite(
    "Triton over libcurl: protocol", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct TritonProtocolTests {
    @Test("every server is live and ready, with both models ready")
    func health() async throws {
        try await TritonFixture.with { fixture in
            for client in fixture.clients {
                let live = try await client.serverLive()
                let ready = try await client.serverReady()
                let simple = try await client.modelReady(model: "simple", version: nil)
                let digits1 = try await client.modelReady(model: "digits", version: "1")
                let digits2 = try await client.modelReady(model: "digits", version: "2")
                let unknown = try await client.modelReady(model: "no_such_model", version: nil)
                #expect(live && ready && simple && digits1 && digits2, "\(client.baseURL)")
                #expect(unknown == false)
            }
        }
    }

    @Test("server and model metadata describe `simple`")
    func metadata() async throws {
        try await TritonFixture.with { fixture in
            let server = try await fixture.first.serverMetadata()
            #expect(server.name.hasPrefix("triton"))
            #expect(!server.version.isEmpty)
            #expect(server.extensions.contains("classification"))
            #expect(server.extensions.contains("binary_tensor_data"))

            let model = try await fixture.first.modelMetadata(model: "simple", version: nil)
            #expect(model.name == "simple")
            #expect(model.inputs.map(\.name).sorted() == ["INPUT0", "INPUT1"])
            #expect(model.inputs.allSatisfy { $0.datatype == "INT32" && $0.shape == [-1, 16] })
            #expect(model.outputs.map(\.name).sorted() == ["OUTPUT0", "OUTPUT1"])

            let config = try JSONSerialization.jsonObject(with: try await fixture.first.modelConfig(model: "simple"))
            let maxBatch = (config as? [String: Any])?["max_batch_size"] as? Int
            #expect(maxBatch == 8)
        }
    }

    @Test("`simple` over JSON returns exact sums and differences")
    func simpleJSON() async throws {
        try await TritonFixture.with { fixture in
            let a = (0..<16).map { Int32($0) }
            let b = (0..<16).map { Int32(100 - $0 * 7) }
            for client in fixture.clients {
                let response = try await client.infer(simpleRequest(a, b), model: "simple", version: nil, deadline: nil)
                #expect(response.modelName == "simple")
                try expectSimpleOutputs(response, a, b)
            }
        }
    }

    @Test("`simple` with binary inputs and binary outputs, including extreme values")
    func simpleBinary() async throws {
        try await TritonFixture.with { fixture in
            let a: [Int32] = [Int32.max, Int32.min, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
            let b: [Int32] = [1, -1, -1, 0, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]
            let response = try await fixture.first.infer(
                simpleRequest(a, b, binaryOutputs: true), model: "simple", version: nil, deadline: nil,
                binaryInputs: true)
            try expectSimpleOutputs(response, a, b)
        }
    }

    @Test("repository index lists the loaded models as READY")
    func repositoryIndex() async throws {
        try await TritonFixture.with { fixture in
            let index = try await fixture.first.repositoryIndex()
            let ready = Set(index.filter { $0.state == "READY" }.map(\.name))
            #expect(ready.isSuperset(of: ["simple", "digits"]))
            let statistics = try JSONSerialization.jsonObject(
                with: try await fixture.first.statistics(model: "simple"))
            #expect((statistics as? [String: Any])?["model_stats"] != nil)
        }
    }

    @Test("a malformed request returns Triton's own error text")
    func badRequest() async throws {
        try await TritonFixture.with { fixture in
            let request = InferRequest(
                id: nil, parameters: [:],
                inputs: [InferTensor(name: "INPUT0", shape: [1, 16], values: [Int32](repeating: 1, count: 16))],
                outputs: [])
            let error = try await #require(throws: UpstreamError.self) {
                try await fixture.first.infer(request, model: "simple", version: nil, deadline: nil)
            }
            #expect(error.status == 400)
            #expect(error.message.contains("INPUT1"), "Triton's message names the missing input: \(error.message)")

            let unknown = try await #require(throws: UpstreamError.self) {
                try await fixture.first.modelMetadata(model: "no_such_model", version: nil)
            }
            #expect(unknown.status == 400 || unknown.status == 404)
            #expect(unknown.message.contains("no_such_model"))
        }
    }
}
