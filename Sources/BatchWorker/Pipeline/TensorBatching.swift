import BatchProtocol
import Foundation
import InferenceProtocol

/// Joins items' requests into one batched request along the first (batch) dimension, and splits
/// the batched response back into one response per item.
///
/// Correct for models whose inputs and outputs all carry the batch dimension first (Triton's
/// `max_batch_size > 0`): an item of shape `[1, 16]` is one row of a `[n, 16]` batch.
enum TensorBatching {
    /// The rows an item adds to a batch: the first dimension of its first input (1 for a scalar).
    static func rows(of request: InferRequest) -> Int {
        guard let first = request.inputs.first?.shape.first, first > 0 else { return 1 }
        return Int(clamping: first)
    }

    /// What items must share to be batched together: input names, datatypes and shapes after the
    /// first dimension, requested outputs and parameters. Items with parameters never share.
    static func signature(of request: InferRequest) -> String? {
        guard request.parameters.isEmpty, !request.inputs.isEmpty else { return nil }
        let rows = request.inputs.first?.shape.first
        var parts: [String] = []
        for input in request.inputs.sorted(by: { $0.name < $1.name }) {
            guard input.parameters.isEmpty, let first = input.shape.first, first == rows else { return nil }
            parts.append("\(input.name):\(input.datatype.rawValue):\(input.shape.dropFirst().map(String.init))")
        }
        for output in request.outputs.sorted(by: { $0.name < $1.name }) {
            guard output.parameters.allSatisfy({ $0.key == InferRequestedOutput.binaryDataKey }) else { return nil }
            parts.append("out:\(output.name)")
        }
        return parts.joined(separator: "|")
    }

    /// One request whose inputs are the items' inputs stacked along the first dimension; every
    /// output is asked for as binary data. `requests` must share a ``signature(of:)``.
    static func join(_ requests: [InferRequest]) -> InferRequest {
        guard let first = requests.first else { return InferRequest(inputs: []) }
        var inputs: [InferTensor] = []
        for template in first.inputs {
            var data = Data()
            var rows: Int64 = 0
            for request in requests {
                guard let tensor = request.input(named: template.name) else { continue }
                data.append(tensor.data)
                rows += tensor.shape.first ?? 1
            }
            inputs.append(
                InferTensor(
                    name: template.name, datatype: template.datatype, shape: [rows] + template.shape.dropFirst(),
                    data: data))
        }
        let outputs = first.outputs.map { InferRequestedOutput(name: $0.name, binaryData: true) }
        var joined = InferRequest(inputs: inputs, outputs: outputs)
        joined.binaryDataOutput = true
        return joined
    }

    /// Cuts a batched response into one response per item, by each item's row count.
    ///
    /// Throws when an output's first dimension is not the batch's total rows.
    static func split(_ response: InferResponse, rows: [Int]) throws -> [InferResponse] {
        let total = rows.reduce(0, +)
        var perItem = rows.map { _ in [InferTensor]() }
        for output in response.outputs {
            guard let first = output.shape.first, first == Int64(total), total > 0 else {
                throw BatchWorkerError.rejectedByModel(
                    "output '\(output.name)' has shape \(output.shape), not \(total) rows: the model does not batch")
            }
            let rowShape = Array(output.shape.dropFirst())
            if output.datatype.elementByteSize != nil {
                let rowBytes = output.data.count / total
                guard rowBytes * total == output.data.count else {
                    throw BatchWorkerError.rejectedByModel("output '\(output.name)' has a partial row")
                }
                var start = output.data.startIndex
                for (index, count) in rows.enumerated() {
                    let end = start + rowBytes * count
                    perItem[index].append(
                        InferTensor(
                            name: output.name, datatype: output.datatype, shape: [Int64(count)] + rowShape,
                            data: Data(output.data[start..<end])))
                    start = end
                }
            } else {
                let elements = try output.byteElements()
                let perRow = elements.count / total
                var start = 0
                for (index, count) in rows.enumerated() {
                    let end = start + perRow * count
                    perItem[index].append(
                        InferTensor(
                            name: output.name, shape: [Int64(count)] + rowShape, bytes: Array(elements[start..<end])))
                    start = end
                }
            }
        }
        return perItem.map {
            InferResponse(modelName: response.modelName, modelVersion: response.modelVersion, outputs: $0)
        }
    }
}
