import Foundation
import FuzzSupport
import InferenceProtocol

/// A model like the stack's `simple` (two INT32 [-1,16] inputs, two outputs), to validate against.
let model = ModelMetadata(
    name: "simple", platform: "python",
    inputs: [
        TensorMetadata(name: "INPUT0", datatype: "INT32", shape: [-1, 16]),
        TensorMetadata(name: "INPUT1", datatype: "INT32", shape: [-1, 16]),
    ],
    outputs: [
        TensorMetadata(name: "OUTPUT0", datatype: "INT32", shape: [-1, 16]),
        TensorMetadata(name: "OUTPUT1", datatype: "INT32", shape: [-1, 16]),
    ])

/// A KServe v2 JSON inference body, as the gateway's validation and the batch worker decode it
/// (no `Inference-Header-Content-Length`), then validated on its own and against a fixed model;
/// the same bytes also go through the response reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInferJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = start.map { Data(bytes: $0, count: count) } ?? Data()
    if let request = try? InferenceCodec.decodeRequest(body, jsonHeaderLength: nil) {
        Invariants.checkRequest(request)
        _ = try? request.validate()
        if (try? request.validate(against: model)) != nil {
            for input in request.inputs {
                let expected = model.input(named: input.name)
                Invariants.require(
                    expected?.datatype == input.datatype.rawValue && expected?.accepts(shape: input.shape) == true,
                    "input '\(input.name)' passed validation against a model that does not take it")
            }
        }
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
