import Foundation
import InferenceProtocol
import TritonClient

/// How the upstream's failures and refusals reach the client.
enum UpstreamErrors {
    /// The wait a client is told when the upstream is overloaded and says nothing itself.
    static let defaultRetryAfter = "1"

    /// Any error thrown by an upstream call: platform errors pass, the rest are mapped.
    static func map(_ error: any Error) -> any Error {
        switch error {
        case let error as InferenceError: return error
        case let error as UpstreamError: return InferenceError(error)
        default: return error
        }
    }

    /// The overload contract: an upstream 429, or Triton's "exceeds maximum queue size" under any
    /// status, reaches the client as 429 with `Retry-After`.
    static func overloadAware(_ answer: UpstreamResponse) -> UpstreamResponse {
        var answer = answer
        let overloaded = answer.status == 429 || answer.isQueueFull
        guard overloaded else { return answer }
        answer.status = 429
        if answer.header("Retry-After") == nil {
            answer.headers.append((name: "Retry-After", value: defaultRetryAfter))
        }
        return answer
    }
}
