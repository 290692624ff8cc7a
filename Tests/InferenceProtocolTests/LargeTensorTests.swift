import Foundation
import InferenceProtocol
import TestSupport
import Testing

@Suite("Large tensors")
struct LargeTensorTests {
    @Test("a 4M-element FP32 tensor round-trips as binary, bit for bit")
    func binary4M() throws {
        var generator = SplitMix64(seed: 7)
        let values = (0..<4_000_000).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
        }
        let request = InferRequest(inputs: [InferTensor(name: "big", shape: [4, 1_000_000], values: values)])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
        #expect(encoded.body.count == encoded.jsonHeaderLength! + 16_000_000)
        let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength)
        #expect(decoded.inputs[0].data == request.inputs[0].data, "NaN payloads included")
        let read = try decoded.inputs[0].values(as: Float.self)
        #expect(read.count == 4_000_000)
        #expect(read.prefix(1000).map(\.bitPattern) == values.prefix(1000).map(\.bitPattern))
    }

    @Test("a 1M-element FP32 tensor round-trips as JSON, bit for bit")
    func json1M() throws {
        var generator = SplitMix64(seed: 8)
        let values = (0..<1_000_000).map { _ in Float.random(in: -1000...1000, using: &generator) }
        let response = InferResponse(
            modelName: "m", outputs: [InferTensor(name: "big", shape: [1000, 1000], values: values)])
        let encoded = try InferenceCodec.encodeResponse(response, binaryOutputs: [])
        #expect(encoded.jsonHeaderLength == nil)
        let decoded = try InferenceCodec.decodeResponse(encoded.body, jsonHeaderLength: nil)
        #expect(decoded == response)
    }

    @Test("a large BYTES tensor of mixed strings round-trips both ways")
    func manyStrings() throws {
        let strings = (0..<100_000).map { index in index % 7 == 0 ? "" : "item-\(index)-é\"\\" }
        let request = InferRequest(inputs: [InferTensor(name: "s", shape: [100_000], strings: strings)])
        for binary in [false, true] {
            let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: binary)
            let decoded = try InferenceCodec.decodeRequest(encoded.body, jsonHeaderLength: encoded.jsonHeaderLength)
            #expect(try decoded.inputs[0].strings() == strings)
        }
    }

    @Test("a hostile shape does not make decoding reserve huge memory")
    func hostileShape() {
        let json = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[1000000000000],"data":[1,2]}]}"#
        #expect(throws: InferenceProtocolError.self) { try decodeRequest(json: json) }
    }
}
