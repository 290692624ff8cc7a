import Foundation

/// Encodes and decodes KServe v2 inference bodies, in JSON and with Triton's binary tensor data extension.
///
/// A binary body is the JSON part followed by the tensors' bytes in tensor order; each binary tensor says
/// its size in the `binary_data_size` parameter and has no `data`, and the JSON part's length travels in
/// the `Inference-Header-Content-Length` header. Decoding checks every size and throws an
/// `InferenceProtocolError` whose message can go straight into an HTTP 400 body.
public enum InferenceCodec {
    /// The HTTP header carrying the JSON part's length when binary data follows it.
    public static let headerLengthField = InferenceHeaderLength.field

    /// Encodes a request, sending every input as binary data when `binaryInputs` is true.
    ///
    /// Inputs written as JSON must be JSON-expressible: NaN, infinities and non-UTF-8 `BYTES` throw.
    public static func encodeRequest(_ request: InferRequest, binaryInputs: Bool) throws -> EncodedBody {
        try MessageWriter.writeRequest(request) { _ in binaryInputs }
    }

    /// Encodes a request, sending the inputs named in `binaryInputNames` as binary data and the others as JSON.
    public static func encodeRequest(_ request: InferRequest, binaryInputNames: Set<String>) throws -> EncodedBody {
        try MessageWriter.writeRequest(request) { binaryInputNames.contains($0.name) }
    }

    /// Decodes a request body; pass the `Inference-Header-Content-Length` header's value, or nil when the
    /// request had none (the whole body is then JSON).
    ///
    /// Each tensor's data is checked against its shape; call `validate()` for the request-level rules.
    public static func decodeRequest(_ body: Data, jsonHeaderLength: Int?) throws -> InferRequest {
        try body.withUnsafeBytes { raw in
            let json = try jsonPart(of: raw, jsonHeaderLength: jsonHeaderLength)
            var (request, entries) = try MessageReader.readRequest(json)
            request.inputs = try attachBinaryData(
                entries, body: raw, jsonLength: json.count, hasHeader: jsonHeaderLength != nil, role: "input")
            return request
        }
    }

    /// Decodes a JSON request body together with the top-level fields named in `fields` that
    /// hold a boolean, a number or a string (a message that carries a request among fields of its
    /// own is read in one pass). A field holding `null` is left out; an object or array throws.
    public static func decodeRequest(_ body: Data, capturing fields: Set<String>) throws -> (
        request: InferRequest, fields: [String: InferParameter]
    ) {
        try body.withUnsafeBytes { raw in
            var extras: [String: InferParameter] = [:]
            var (request, entries) = try MessageReader.readRequest(raw, capturing: fields, into: &extras)
            request.inputs = try attachBinaryData(
                entries, body: raw, jsonLength: raw.count, hasHeader: false, role: "input")
            return (request, extras)
        }
    }

    /// Encodes a response, sending the outputs named in `binaryOutputs` as binary data and the others as JSON.
    ///
    /// `InferRequest.binaryOutputNames(in:)` gives the set a client asked for.
    public static func encodeResponse(_ response: InferResponse, binaryOutputs: Set<String>) throws -> EncodedBody {
        try MessageWriter.writeResponse(response, binaryOutputs: binaryOutputs)
    }

    /// Decodes a response body; pass the `Inference-Header-Content-Length` header's value, or nil.
    public static func decodeResponse(_ body: Data, jsonHeaderLength: Int?) throws -> InferResponse {
        try body.withUnsafeBytes { raw in
            let json = try jsonPart(of: raw, jsonHeaderLength: jsonHeaderLength)
            var (response, entries) = try MessageReader.readResponse(json)
            response.outputs = try attachBinaryData(
                entries, body: raw, jsonLength: json.count, hasHeader: jsonHeaderLength != nil, role: "output")
            return response
        }
    }

    /// The JSON part: the first `jsonHeaderLength` bytes, or all of them.
    private static func jsonPart(of body: UnsafeRawBufferPointer, jsonHeaderLength: Int?) throws
        -> UnsafeRawBufferPointer
    {
        guard let length = jsonHeaderLength else { return body }
        guard length >= 0, length <= body.count else {
            throw InferenceProtocolError(
                .binarySizeMismatch,
                "\(headerLengthField) is \(length) but the body has only \(body.count) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: body[0..<length])
    }

    /// Cuts the binary part into the tensors that declared a `binary_data_size`, in order, and checks every
    /// tensor's data against its shape.
    private static func attachBinaryData(
        _ entries: [MessageReader.TensorEntry], body: UnsafeRawBufferPointer, jsonLength: Int, hasHeader: Bool,
        role: String
    ) throws -> [InferTensor] {
        let available = body.count - jsonLength
        var declared = 0
        for entry in entries {
            guard let size = entry.binarySize else { continue }
            guard hasHeader else {
                throw InferenceProtocolError(
                    .binarySizeMismatch,
                    "\(role) '\(entry.tensor.name)' has a binary_data_size but the body has no binary part "
                        + "(no \(headerLengthField) header)")
            }
            let (sum, overflow) = declared.addingReportingOverflow(size)
            declared = overflow ? Int.max : sum
        }
        guard declared == available else {
            let problem = declared > available ? "the body ends early: " : "the body has extra bytes: "
            throw InferenceProtocolError(
                .binarySizeMismatch,
                problem + "binary_data_size values add up to \(declared) bytes but \(available) bytes follow "
                    + "the \(jsonLength)-byte JSON part")
        }
        var offset = jsonLength
        var tensors: [InferTensor] = []
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            var tensor = entry.tensor
            let label = "\(role) '\(tensor.name)'"
            if let size = entry.binarySize {
                if let needed = Self.fixedByteCount(of: tensor), needed != size {
                    throw InferenceProtocolError(
                        .binarySizeMismatch,
                        "\(label): binary_data_size is \(size) bytes but shape \(InferTensor.describe(tensor.shape)) "
                            + "of \(tensor.datatype) needs \(needed) bytes")
                }
                tensor.data = Data(UnsafeRawBufferPointer(rebasing: body[offset..<offset + size]))
                offset += size
            }
            try tensor.checkLayout(label: label)
            tensors.append(tensor)
        }
        return tensors
    }

    /// Shape × element size for fixed-size datatypes with a valid shape; nil otherwise (checked elsewhere).
    private static func fixedByteCount(of tensor: InferTensor) -> Int? {
        guard let elementSize = tensor.datatype.elementByteSize,
            let count = InferTensor.elementCount(of: tensor.shape)
        else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        return overflow ? Int.max : bytes
    }
}
