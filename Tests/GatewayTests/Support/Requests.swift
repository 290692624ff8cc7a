import Foundation
import InferenceProtocol

/// Request bodies and headers the gateway tests send.
enum Requests {
    /// A JSON `simple` infer body (INPUT0 = 0…15, INPUT1 = 1s).
    static let simpleJSON = Data(
        """
        {"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},\
        {"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}
        """.utf8)

    /// `Authorization: Bearer token`.
    static func bearer(_ token: String) -> [(name: String, value: String)] {
        [(name: "Authorization", value: "Bearer " + token)]
    }

    /// Bearer plus `Content-Type: application/json`.
    static func jsonBearer(_ token: String) -> [(name: String, value: String)] {
        bearer(token) + [(name: "Content-Type", value: "application/json")]
    }

    /// A binary-tensor `simple` request: the body and its JSON header length.
    static func simpleBinary() throws -> EncodedBody {
        let request = InferRequest(
            inputs: [
                InferTensor(name: "INPUT0", shape: [1, 16], values: (0..<16).map(Int32.init)),
                InferTensor(name: "INPUT1", shape: [1, 16], values: [Int32](repeating: 1, count: 16)),
            ],
            outputs: [InferRequestedOutput(name: "OUTPUT0", binaryData: true)])
        return try InferenceCodec.encodeRequest(request, binaryInputs: true)
    }
}
