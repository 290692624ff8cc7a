import Foundation
import FuzzSupport
import InferenceProtocol

/// A binary tensor body: a JSON part, then the tensors' bytes, cut at `Inference-Header-Content-Length`.
///
/// The input's first byte picks how the header length is given, so the fuzzer explores it too:
/// - even: the next 4 bytes are a little-endian `Int32` passed straight to the decoder (negative and
///   oversized values included);
/// - odd: the next byte `n` (at most 24) and `n` bytes of header text, parsed as the gateway parses
///   the header, against the rest of the input.
/// The rest of the input is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInferBinary(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count >= 2 else { return 0 }
    let input = UnsafeBufferPointer(start: start, count: count)
    let body: Data
    let length: Int?
    if input[0] % 2 == 0 {
        guard count >= 5 else { return 0 }
        let raw = UInt32(input[1]) | UInt32(input[2]) << 8 | UInt32(input[3]) << 16 | UInt32(input[4]) << 24
        length = Int(Int32(bitPattern: raw))
        body = Data(input[5...])
    } else {
        let textCount = min(Int(input[1]), 24, count - 2)
        let text = String(decoding: input[2..<2 + textCount], as: UTF8.self)
        body = Data(input[(2 + textCount)...])
        guard let parsed = try? InferenceHeaderLength.parse(text, bodyCount: body.count) else { return 0 }
        Invariants.require((0...body.count).contains(parsed), "header length \(parsed) accepted")
        length = parsed
    }
    if let request = try? InferenceCodec.decodeRequest(body, jsonHeaderLength: length) {
        Invariants.require(
            length.map { (0...body.count).contains($0) } ?? true,
            "a request decoded with header length \(String(describing: length))")
        Invariants.checkRequest(request)
    }
    if let response = try? InferenceCodec.decodeResponse(body, jsonHeaderLength: length) {
        Invariants.checkResponse(response)
    }
    return 0
}

@main
enum FuzzInferBinary {
    static func main() {
        FuzzerMain.run(fuzzInferBinary)
    }
}
