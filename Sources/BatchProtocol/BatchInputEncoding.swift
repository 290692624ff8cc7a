import Foundation
import InferenceProtocol

/// Binary `BYTES` inputs (encoded images) in JSON batch items: an input whose parameters hold
/// `"content_type": "base64"` (MLServer's convention) carries each element as base64 text. JSON
/// cannot carry arbitrary bytes, and the items travel as JSON on Kafka, so the text is decoded by
/// the worker just before the item is sent to Triton as a binary tensor; submission checks it.
public enum BatchInputEncoding {
    /// The input parameter naming the encoding of a `BYTES` input's elements.
    public static let parameter = "content_type"
    /// Its one accepted value.
    public static let base64 = "base64"

    /// `request` with every input marked base64 decoded to its bytes and the mark removed.
    ///
    /// - Throws: `InferenceProtocolError` (`invalid_tensor`) naming the input when the mark is on
    ///   an input that is not `BYTES`, names another encoding, or an element is not base64.
    public static func decoded(_ request: InferRequest) throws -> InferRequest {
        guard request.inputs.contains(where: { $0.parameters[parameter] != nil }) else { return request }
        var request = request
        for index in request.inputs.indices {
            guard let mark = request.inputs[index].parameters[parameter] else { continue }
            let input = request.inputs[index]
            guard mark.stringValue == base64, input.datatype == .bytes else {
                throw InferenceProtocolError(
                    .invalidTensor,
                    "input '\(input.name)': \(parameter) must be \"\(base64)\", on a BYTES input")
            }
            var elements: [Data] = []
            var position = 0
            try input.forEachByteElement { text in
                guard let bytes = Data(base64Encoded: Data(text)) else {
                    throw InferenceProtocolError(
                        .invalidTensor, "input '\(input.name)': element \(position) is not base64")
                }
                elements.append(bytes)
                position += 1
            }
            var parameters = input.parameters
            parameters[parameter] = nil
            request.inputs[index] = InferTensor(
                name: input.name, shape: input.shape, bytes: elements, parameters: parameters)
        }
        return request
    }
}

extension BatchItemMessage {
    /// The message with its base64 inputs decoded (``BatchInputEncoding``); an element that is
    /// not base64 makes the item invalid.
    public func decodingInputs() throws(BatchWorkerError) -> BatchItemMessage {
        do {
            var message = self
            message.request = try BatchInputEncoding.decoded(request)
            return message
        } catch let error as InferenceProtocolError {
            throw .invalidItem(error.message)
        } catch {
            throw .invalidItem("the inputs cannot be decoded")
        }
    }
}
