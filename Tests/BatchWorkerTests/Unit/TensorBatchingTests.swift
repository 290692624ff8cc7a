import BatchProtocol
import Foundation
import InferenceProtocol
import Testing

@testable import BatchWorker

@Suite("Joining items into one Triton batch and splitting the answer")
struct TensorBatchingTests {
    func item(_ base: Int32) -> InferRequest {
        InferRequest(inputs: [
            InferTensor(name: "INPUT0", shape: [1, 4], values: (0..<4).map { base + Int32($0) }),
            InferTensor(name: "INPUT1", shape: [1, 4], values: [Int32](repeating: 1, count: 4)),
        ])
    }

    @Test("inputs stack along the batch dimension in item order")
    func join() throws {
        let joined = TensorBatching.join([item(0), item(10), item(20)])
        let input0 = try #require(joined.input(named: "INPUT0"))
        #expect(input0.shape == [3, 4])
        #expect(try input0.values(as: Int32.self) == [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23])
        #expect(joined.binaryDataOutput == true)
    }

    @Test("a batched response splits back into one response per item, by rows")
    func split() throws {
        let output = InferTensor(name: "OUTPUT0", shape: [3, 2], values: [Int32](arrayLiteral: 1, 2, 3, 4, 5, 6))
        let strings = InferTensor(name: "LABEL", shape: [3, 1], strings: ["a", "bb", "ccc"])
        let response = InferResponse(modelName: "m", modelVersion: "1", outputs: [output, strings])
        let parts = try TensorBatching.split(response, rows: [1, 2])
        #expect(parts.count == 2)
        #expect(try parts[0].output(named: "OUTPUT0")?.values(as: Int32.self) == [1, 2])
        #expect(parts[1].output(named: "OUTPUT0")?.shape == [2, 2])
        #expect(try parts[1].output(named: "OUTPUT0")?.values(as: Int32.self) == [3, 4, 5, 6])
        #expect(try parts[1].output(named: "LABEL")?.strings() == ["bb", "ccc"])
        #expect(parts[1].modelVersion == "1")
    }

    @Test("an output without the batch dimension is refused")
    func unbatchedOutput() {
        let output = InferTensor(name: "OUTPUT0", shape: [2], values: [Int32](arrayLiteral: 1, 2))
        #expect(throws: BatchWorkerError.self) {
            try TensorBatching.split(InferResponse(modelName: "m", outputs: [output]), rows: [1, 1, 1])
        }
    }

    @Test("signatures separate items that cannot share a call")
    func signatures() {
        var wrongType = item(0)
        wrongType.inputs[1] = InferTensor(name: "INPUT1", shape: [1, 4], values: [Float](repeating: 1, count: 4))
        var wrongShape = item(0)
        wrongShape.inputs[0] = InferTensor(name: "INPUT0", shape: [1, 3], values: [Int32](repeating: 1, count: 3))
        var withParameters = item(0)
        withParameters.parameters["priority"] = .int(1)
        let base = TensorBatching.signature(of: item(0))
        #expect(base != nil)
        #expect(TensorBatching.signature(of: item(99)) == base)
        #expect(TensorBatching.signature(of: wrongType) != base)
        #expect(TensorBatching.signature(of: wrongShape) != base)
        #expect(TensorBatching.signature(of: withParameters) == nil)
    }
}
