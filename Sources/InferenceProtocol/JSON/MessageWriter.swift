import Foundation

/// Writes KServe v2 inference requests and responses: the JSON part, then the binary blobs.
enum MessageWriter {
    /// Writes `request`; inputs whose names are in `binaryInputs` go as binary data after the JSON.
    static func writeRequest(_ request: InferRequest, binaryInputs: (InferTensor) -> Bool) throws -> EncodedBody {
        let binary = request.inputs.map { binaryInputs($0) && !($0.data.isEmpty && $0.usesSharedMemory) }
        var writer = ByteWriter(capacity: estimatedSize(request.inputs, binary: binary))
        writer.append(UInt8(ascii: "{"))
        if let id = request.id {
            writer.writeJSONKey("id")
            writer.writeJSONString(id)
            writer.append(UInt8(ascii: ","))
        }
        if !request.parameters.isEmpty {
            writer.writeJSONKey("parameters")
            try writer.writeJSONParameters(request.parameters)
            writer.append(UInt8(ascii: ","))
        }
        writer.writeJSONKey("inputs")
        try writeTensors(request.inputs, binary: binary, role: "input", into: &writer)
        if !request.outputs.isEmpty {
            writer.append(",")
            writer.writeJSONKey("outputs")
            writer.append(UInt8(ascii: "["))
            for (position, output) in request.outputs.enumerated() {
                if position > 0 { writer.append(UInt8(ascii: ",")) }
                writer.append("{")
                writer.writeJSONKey("name")
                writer.writeJSONString(output.name)
                if !output.parameters.isEmpty {
                    writer.append(",")
                    writer.writeJSONKey("parameters")
                    try writer.writeJSONParameters(output.parameters)
                }
                writer.append("}")
            }
            writer.append(UInt8(ascii: "]"))
        }
        writer.append(UInt8(ascii: "}"))
        return finish(writer, tensors: request.inputs, binary: binary)
    }

    /// Writes `response`; outputs whose names are in `binaryOutputs` go as binary data after the JSON.
    static func writeResponse(_ response: InferResponse, binaryOutputs: Set<String>) throws -> EncodedBody {
        let binary = response.outputs.map {
            binaryOutputs.contains($0.name) && !($0.data.isEmpty && $0.usesSharedMemory)
        }
        var writer = ByteWriter(capacity: estimatedSize(response.outputs, binary: binary))
        writer.append(UInt8(ascii: "{"))
        writer.writeJSONKey("model_name")
        writer.writeJSONString(response.modelName)
        if let version = response.modelVersion {
            writer.append(",")
            writer.writeJSONKey("model_version")
            writer.writeJSONString(version)
        }
        if let id = response.id {
            writer.append(",")
            writer.writeJSONKey("id")
            writer.writeJSONString(id)
        }
        if !response.parameters.isEmpty {
            writer.append(",")
            writer.writeJSONKey("parameters")
            try writer.writeJSONParameters(response.parameters)
        }
        writer.append(",")
        writer.writeJSONKey("outputs")
        try writeTensors(response.outputs, binary: binary, role: "output", into: &writer)
        writer.append(UInt8(ascii: "}"))
        return finish(writer, tensors: response.outputs, binary: binary)
    }

    private static func writeTensors(
        _ tensors: [InferTensor], binary: [Bool], role: String, into writer: inout ByteWriter
    ) throws {
        writer.append(UInt8(ascii: "["))
        for (position, tensor) in tensors.enumerated() {
            let label = "\(role) '\(tensor.name)'"
            try tensor.checkLayout(label: label)
            if position > 0 { writer.append(UInt8(ascii: ",")) }
            writer.append("{")
            writer.writeJSONKey("name")
            writer.writeJSONString(tensor.name)
            writer.append(",")
            writer.writeJSONKey("datatype")
            writer.writeJSONString(tensor.datatype.rawValue)
            writer.append(",")
            writer.writeJSONKey("shape")
            writer.writeJSONShape(tensor.shape)
            if binary[position] {
                writer.append(",")
                writer.writeJSONKey("parameters")
                try writer.writeJSONParameters(
                    tensor.parameters, extra: ["binary_data_size": .int(Int64(tensor.data.count))])
            } else {
                if !tensor.parameters.isEmpty {
                    writer.append(",")
                    writer.writeJSONKey("parameters")
                    try writer.writeJSONParameters(tensor.parameters)
                }
                if !(tensor.data.isEmpty && tensor.usesSharedMemory) {
                    writer.append(",")
                    writer.writeJSONKey("data")
                    try writer.writeJSONTensorData(tensor, label: label)
                }
            }
            writer.append("}")
        }
        writer.append(UInt8(ascii: "]"))
    }

    /// Appends the binary blobs after the JSON and hands the body over.
    private static func finish(_ writer: consuming ByteWriter, tensors: [InferTensor], binary: [Bool]) -> EncodedBody {
        let jsonLength = writer.count
        var anyBinary = false
        for (tensor, isBinary) in zip(tensors, binary) where isBinary {
            writer.append(tensor.data)
            anyBinary = true
        }
        let body = writer.finish()
        return EncodedBody(body: body, jsonHeaderLength: anyBinary ? jsonLength : nil)
    }

    /// A guess at the encoded size, so that the buffer rarely grows: blobs exactly, JSON data generously.
    private static func estimatedSize(_ tensors: [InferTensor], binary: [Bool]) -> Int {
        var size = 256
        for (tensor, isBinary) in zip(tensors, binary) {
            size += 128 + tensor.name.utf8.count
            if isBinary {
                size += tensor.data.count
            } else {
                let perByte = tensor.datatype == .bytes ? 1 : (tensor.datatype.isFloatingPoint ? 4 : 3)
                size += tensor.data.count * perByte
            }
        }
        return size
    }
}
