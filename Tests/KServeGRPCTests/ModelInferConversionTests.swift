import Foundation
import InferenceProtocol
import Testing

@testable import KServeGRPC

@Suite("ModelInfer between gRPC messages and KServe v2 binary bodies")
struct ModelInferConversionTests {
    private func request(raw: Bool) -> Inference_ModelInferRequest {
        var request = Inference_ModelInferRequest()
        request.modelName = "simple"
        request.id = "call-1"
        request.parameters["priority"] = .with { $0.int64Param = 2 }
        for name in ["INPUT0", "INPUT1"] {
            var input = Inference_ModelInferRequest.InferInputTensor()
            input.name = name
            input.datatype = "INT32"
            input.shape = [1, 4]
            if raw {
                request.rawInputContents.append(InferTensor(name: name, shape: [4], values: [Int32(1), 2, 3, -4]).data)
            } else {
                input.contents.intContents = [1, 2, 3, -4]
            }
            request.inputs.append(input)
        }
        var output = Inference_ModelInferRequest.InferRequestedOutputTensor()
        output.name = "OUTPUT0"
        output.parameters["classification"] = .with { $0.int64Param = 3 }
        request.outputs = [output]
        return request
    }

    @Test("raw and typed inputs give the same binary body; every output is asked for as binary data")
    func requestBody() throws {
        let fromRaw = try ModelInferConversion.body(for: request(raw: true))
        let fromTyped = try ModelInferConversion.body(for: request(raw: false))
        #expect(fromRaw == fromTyped)
        let decoded = try InferenceCodec.decodeRequest(fromRaw.body, jsonHeaderLength: fromRaw.jsonHeaderLength)
        #expect(decoded.id == "call-1")
        #expect(decoded.parameters["priority"] == .int(2))
        #expect(decoded.binaryDataOutput == true)
        #expect(try decoded.inputs[0].values(as: Int32.self) == [1, 2, 3, -4])
        #expect(decoded.inputs.map(\.shape) == [[1, 4], [1, 4]])
        #expect(decoded.outputs.first?.binaryData == true)
        #expect(decoded.outputs.first?.classification == 3)
    }

    @Test("raw_input_contents must hold one entry per input")
    func rawCountMismatch() {
        var call = request(raw: true)
        call.rawInputContents.removeLast()
        #expect(throws: InferenceError.badRequest("raw_input_contents has 1 entries for 2 inputs: send one per input"))
        {
            try ModelInferConversion.body(for: call)
        }
    }

    @Test("a typed value that does not fit its datatype is refused, not truncated")
    func narrowing() {
        var call = request(raw: false)
        call.inputs[0].datatype = "INT8"
        call.inputs[0].contents.intContents = [1, 300]
        call.inputs[0].shape = [2]
        #expect(throws: InferenceError.badRequest("input 'INPUT0' holds 300, which does not fit INT8")) {
            try ModelInferConversion.body(for: call)
        }
    }

    @Test("FP16 has no typed contents; an unknown datatype is named")
    func datatypes() {
        var half = request(raw: false)
        half.inputs[0].datatype = "FP16"
        #expect(throws: InferenceError.self) { try ModelInferConversion.body(for: half) }
        var unknown = request(raw: false)
        unknown.inputs[0].datatype = "COMPLEX"
        #expect(throws: InferenceError.badRequest("input 'INPUT0' has an unknown datatype 'COMPLEX'")) {
            try ModelInferConversion.body(for: unknown)
        }
    }

    @Test("a uint64 parameter above Int64.max is refused")
    func largeParameter() {
        var call = request(raw: true)
        call.parameters["sequence_id"] = .with { $0.uint64Param = UInt64.max }
        #expect(throws: InferenceError.self) { try ModelInferConversion.body(for: call) }
    }

    @Test("a binary HTTP answer becomes raw_output_contents in output order")
    func response() throws {
        let answer = InferResponse(
            modelName: "simple", modelVersion: "1", id: "call-1", parameters: ["sequence_end": .bool(true)],
            outputs: [
                InferTensor(name: "OUTPUT0", shape: [1, 2], values: [Int32(7), 8]),
                InferTensor(name: "LABELS", shape: [1], strings: ["0.9:7:seven"]),
            ])
        let encoded = try InferenceCodec.encodeResponse(answer, binaryOutputs: ["OUTPUT0"])
        var headers: [(name: String, value: String)] = []
        if let length = encoded.jsonHeaderLength {
            headers.append((name: "Inference-Header-Content-Length", value: String(length)))
        }
        let converted = try ModelInferConversion.response(
            from: UpstreamResponse(status: 200, headers: headers, body: encoded.body))
        #expect(converted.modelName == "simple")
        #expect(converted.modelVersion == "1")
        #expect(converted.id == "call-1")
        #expect(converted.parameters["sequence_end"]?.boolParam == true)
        #expect(converted.outputs.map(\.name) == ["OUTPUT0", "LABELS"])
        #expect(converted.outputs.map(\.datatype) == ["INT32", "BYTES"])
        #expect(converted.rawOutputContents == answer.outputs.map(\.data))
    }

    @Test("an answer that is not a KServe v2 body is an upstream failure")
    func unreadableResponse() {
        #expect(throws: InferenceError.self) {
            try ModelInferConversion.response(
                from: UpstreamResponse(status: 200, headers: [], body: Data("<html>".utf8)))
        }
    }
}
