import Foundation
import InferenceProtocol

/// Checks the fuzz targets make beyond "no crash"; a broken invariant stops the run like a crash,
/// so libFuzzer saves the input.
public enum Invariants {
    /// Stops the process with `message` when `condition` is false.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("invariant broken: \(message())") }
    }

    /// Every decoded tensor holds exactly the data its shape and datatype describe.
    public static func checkTensors(_ tensors: [InferTensor]) {
        for tensor in tensors where !(tensor.data.isEmpty && tensor.usesSharedMemory) {
            require(tensor.shape.allSatisfy { $0 >= 0 }, "tensor '\(tensor.name)' decoded with a negative dimension")
            if let size = tensor.datatype.elementByteSize {
                require(
                    tensor.data.count == tensor.elementCount * size,
                    "tensor '\(tensor.name)': \(tensor.data.count) bytes for \(tensor.elementCount) × \(size)")
            } else {
                let elements = try? tensor.byteElements()
                require(
                    elements?.count == tensor.elementCount,
                    "BYTES tensor '\(tensor.name)': elements do not match the shape's \(tensor.elementCount)")
            }
        }
    }

    /// A decoded request is consistent, and encoding it again (binary and JSON) decodes to the same request.
    public static func checkRequest(_ request: InferRequest) {
        checkTensors(request.inputs)
        if let binary = try? InferenceCodec.encodeRequest(request, binaryInputs: true) {
            let again = try? InferenceCodec.decodeRequest(binary.body, jsonHeaderLength: binary.jsonHeaderLength)
            require(again == request, "a decoded request does not survive a binary re-encoding")
        }
        if let json = try? InferenceCodec.encodeRequest(request, binaryInputs: false) {
            require(json.jsonHeaderLength == nil, "a JSON-only encoding has a binary part")
            let again = try? InferenceCodec.decodeRequest(json.body, jsonHeaderLength: nil)
            require(again == request, "a decoded request does not survive a JSON re-encoding")
        }
    }

    /// A decoded response is consistent.
    public static func checkResponse(_ response: InferResponse) {
        checkTensors(response.outputs)
    }
}
