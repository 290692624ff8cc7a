import Foundation
import InferenceProtocol
import Testing

@Suite("Request validation")
struct ValidationTests {
    static let model = ModelMetadata(
        name: "classifier", versions: ["1"], platform: "onnxruntime_onnx",
        inputs: [
            TensorMetadata(name: "INPUT0", datatype: "INT32", shape: [-1, 16]),
            TensorMetadata(name: "IMAGE", datatype: "FP32", shape: [-1, 1]),
        ],
        outputs: [TensorMetadata(name: "OUTPUT0", datatype: "FP32", shape: [-1, 10])])

    private func validRequest() -> InferRequest {
        InferRequest(
            inputs: [
                InferTensor(name: "INPUT0", shape: [2, 16], values: [Int32](repeating: 1, count: 32)),
                InferTensor(name: "IMAGE", shape: [4, 1], values: [Float](repeating: 0, count: 4)),
            ],
            outputs: [InferRequestedOutput(name: "OUTPUT0", binaryData: true, classification: 3)])
    }

    private func failure(_ request: InferRequest, against model: ModelMetadata? = nil) -> String? {
        do {
            if let model { try request.validate(against: model) } else { try request.validate() }
            return nil
        } catch let error as InferenceProtocolError {
            #expect(error.code == .validationFailed || error.code == .invalidTensor)
            return error.message
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("a valid request passes both checks")
    func valid() throws {
        try validRequest().validate()
        try validRequest().validate(against: Self.model)
    }

    @Test(
        "the request's own rules",
        arguments: [
            (
                InferRequest(inputs: [InferTensor(name: "", shape: [1], values: [Int8(1)])]),
                "input 0 has an empty name"
            ),
            (
                InferRequest(inputs: [
                    InferTensor(name: "a", shape: [1], values: [Int8(1)]),
                    InferTensor(name: "a", shape: [1], values: [Int8(2)]),
                ]),
                "input 'a' appears more than once"
            ),
            (
                InferRequest(inputs: [InferTensor(name: "a", datatype: .int8, shape: [2, -3], data: Data())]),
                "input 'a': shape [2,-3] has a negative dimension"
            ),
            (
                InferRequest(inputs: [InferTensor(name: "a", shape: [2, 2], values: [Float(1), 2, 3])]),
                "input 'a': shape [2,2] × 4-byte FP32 needs 16 bytes, data has 12"
            ),
            (
                InferRequest(inputs: [
                    InferTensor(name: "s", datatype: .bytes, shape: [1], data: Data([5, 0, 0, 0, 1]))
                ]),
                "input 's': BYTES element 0 declares 5 bytes but only 1 remain"
            ),
            (
                InferRequest(inputs: [InferTensor(name: "s", shape: [3], strings: ["a", "b"])]),
                "input 's': shape [3] needs 3 BYTES elements, data has 2"
            ),
            (
                InferRequest(inputs: [], outputs: [InferRequestedOutput(name: "o"), InferRequestedOutput(name: "o")]),
                "output 'o' is requested more than once"
            ),
            (
                InferRequest(inputs: [], outputs: [InferRequestedOutput(name: "")]),
                "requested output 0 has an empty name"
            ),
            (
                InferRequest(inputs: [], outputs: [InferRequestedOutput(name: "o", parameters: ["classification": 0])]),
                "output 'o': classification must be a positive integer, got 0"
            ),
        ])
    func ownRules(request: InferRequest, message: String) {
        #expect(failure(request) == message)
    }

    @Test("metadata: datatype, shape, unknown and missing inputs, unknown outputs")
    func againstMetadata() {
        var request = validRequest()
        request.inputs[0] = InferTensor(name: "INPUT0", shape: [2, 16], values: [Float](repeating: 1, count: 32))
        #expect(failure(request, against: Self.model) == "input 'INPUT0': expected datatype INT32, got FP32")

        request = validRequest()
        request.inputs[1] = InferTensor(name: "IMAGE", shape: [2, 3], values: [Float](repeating: 0, count: 6))
        #expect(failure(request, against: Self.model) == "input 'IMAGE': shape [2,3] does not match model shape [-1,1]")

        request = validRequest()
        request.inputs[1] = InferTensor(name: "IMAGE", shape: [4], values: [Float](repeating: 0, count: 4))
        #expect(failure(request, against: Self.model) == "input 'IMAGE': shape [4] does not match model shape [-1,1]")

        request = validRequest()
        request.inputs.append(InferTensor(name: "EXTRA", shape: [1], values: [Int8(1)]))
        #expect(
            failure(request, against: Self.model)
                == "input 'EXTRA' is not an input of model 'classifier' (it takes 'INPUT0', 'IMAGE')")

        request = validRequest()
        request.inputs.removeLast()
        #expect(failure(request, against: Self.model) == "input 'IMAGE' is required by model 'classifier' but missing")

        request = validRequest()
        request.outputs = [InferRequestedOutput(name: "PROBS")]
        #expect(
            failure(request, against: Self.model)
                == "requested output 'PROBS' is not an output of model 'classifier' (it has 'OUTPUT0')")
    }

    @Test("optional inputs may be left out; the request's own rules run first")
    func optionalInputs() throws {
        var request = validRequest()
        request.inputs.removeLast()
        try request.validate(against: Self.model, optionalInputs: ["IMAGE"])
        request.inputs.append(request.inputs[0])
        #expect(failure(request, against: Self.model) == "input 'INPUT0' appears more than once")
    }

    @Test("metadata dims of -1 accept any size, fixed dims only their own")
    func shapeMatching() {
        let tensor = TensorMetadata(name: "x", datatype: "FP32", shape: [-1, 3, -1])
        #expect(tensor.accepts(shape: [1, 3, 7]))
        #expect(tensor.accepts(shape: [0, 3, 0]))
        #expect(!tensor.accepts(shape: [1, 4, 7]))
        #expect(!tensor.accepts(shape: [1, 3]))
        #expect(TensorMetadata(name: "s", datatype: "FP32", shape: []).accepts(shape: []))
    }
}
