import Foundation
import FuzzSupport
import InferenceProtocol

/// A KServe v2 JSON inference body, as the gateway's validation and the batch worker decode it
/// (no `Inference-Header-Content-Length`); the same bytes also go through the response reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInferJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let request = try? InferenceCodec.decodeRequest(body, jsonHeaderLength: nil) {
        Invariants.checkRequest(request)
        _ = try? request.validate()
    }
    if let response = try? InferenceCodec.decodeResponse(body, jsonHeaderLength: nil) {
        Invariants.checkResponse(response)
    }
    return 0
}

@main
enum FuzzInferJSON {
    static func main() {
        FuzzerMain.run(fuzzInferJSON)
    }
}
