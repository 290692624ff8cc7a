import Foundation
import InferenceProtocol

/// One tensor of every datatype, each holding the extreme values of its type.
func extremeTensors() -> [InferTensor] {
    [
        InferTensor(name: "bool", shape: [2, 2], values: [true, false, false, true]),
        InferTensor(name: "uint8", shape: [3], values: [UInt8.min, UInt8.max, 1]),
        InferTensor(name: "uint16", shape: [3], values: [UInt16.min, UInt16.max, 0x1234]),
        InferTensor(name: "uint32", shape: [3], values: [UInt32.min, UInt32.max, 0xDEAD_BEEF]),
        InferTensor(name: "uint64", shape: [4], values: [UInt64.min, UInt64.max, 1 << 53 + 1, UInt64(Int64.max) + 1]),
        InferTensor(name: "int8", shape: [3], values: [Int8.min, Int8.max, -1]),
        InferTensor(name: "int16", shape: [3], values: [Int16.min, Int16.max, -1]),
        InferTensor(name: "int32", shape: [3], values: [Int32.min, Int32.max, -1]),
        InferTensor(name: "int64", shape: [4], values: [Int64.min, Int64.max, -1, 9_007_199_254_740_993]),
        InferTensor(
            name: "fp16", shape: [8],
            values: [
                Float16.leastNonzeroMagnitude, 3 * Float16.leastNonzeroMagnitude, Float16.leastNormalMagnitude,
                Float16.greatestFiniteMagnitude, -Float16.greatestFiniteMagnitude, -0.0, 0.1, 1,
            ]),
        InferTensor(
            name: "bf16", shape: [6],
            values: [
                BFloat16(bitPattern: 0x0001), BFloat16(bitPattern: 0x7F7F), BFloat16(bitPattern: 0xFF7F),
                BFloat16(Float.pi), BFloat16(bitPattern: 0x8000), BFloat16(0.1 as Float),
            ]),
        InferTensor(
            name: "fp32", shape: [8],
            values: [
                Float.leastNonzeroMagnitude, Float.leastNormalMagnitude, Float.greatestFiniteMagnitude,
                -Float.greatestFiniteMagnitude, -0.0, 0.1, Float.pi, 16_777_216,
            ]),
        InferTensor(
            name: "fp64", shape: [7],
            values: [
                Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, Double.greatestFiniteMagnitude,
                -0.0, 0.1, Double.pi, 9_007_199_254_740_992,
            ]),
        InferTensor(
            name: "bytes", shape: [2, 3],
            strings: ["", "hello", "héllo wörld", "日本語 🎉", "quote \" backslash \\ slash /", "ctrl \n\t\r\u{01}\u{1F}"]),
    ]
}

/// The body split at the JSON header length: the JSON text and the binary part.
func split(_ encoded: EncodedBody) -> (json: String, binary: Data) {
    let length = encoded.jsonHeaderLength ?? encoded.body.count
    return (String(decoding: encoded.body.prefix(length), as: UTF8.self), Data(encoded.body.dropFirst(length)))
}

/// Decodes a request from JSON text.
func decodeRequest(json: String) throws -> InferRequest {
    try InferenceCodec.decodeRequest(Data(json.utf8), jsonHeaderLength: nil)
}

/// A JSON header followed by binary blobs, as a client would send it.
func binaryBody(json: String, blobs: [[UInt8]]) -> (body: Data, headerLength: Int) {
    var body = Data(json.utf8)
    for blob in blobs { body.append(contentsOf: blob) }
    return (body, json.utf8.count)
}

/// The little-endian bytes of `values`.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
