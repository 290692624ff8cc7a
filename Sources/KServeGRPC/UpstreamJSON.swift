import Foundation
import InferenceProtocol
import SwiftProtobuf

/// Reads an upstream's KServe v2 JSON answers into the protobuf messages of the gRPC surface.
///
/// Triton's JSON uses the protobuf field names, so the messages decode them directly; fields this
/// surface does not declare are skipped.
enum UpstreamJSON {
    private static let options: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    /// The message in a successful answer; an error answer throws its ``InferenceError``.
    static func message<M: SwiftProtobuf.Message>(from answer: UpstreamResponse) throws -> M {
        guard answer.status == 200 else { throw InferenceError(answer: answer) }
        do {
            return try M(jsonUTF8Data: answer.body, options: options)
        } catch {
            throw InferenceError.upstream(status: 502, message: "the upstream's answer could not be read: \(error)")
        }
    }

    /// The repository index, which Triton answers as a bare JSON array.
    static func repositoryIndex(from answer: UpstreamResponse) throws -> Inference_RepositoryIndexResponse {
        guard answer.status == 200 else { throw InferenceError(answer: answer) }
        var wrapped = Data(#"{"models":"#.utf8)
        wrapped.append(answer.body)
        wrapped.append(contentsOf: Array("}".utf8))
        var ok = answer
        ok.body = wrapped
        return try message(from: ok)
    }
}
