import Foundation
import InferenceProtocol
import TritonClient

/// How the upstream's failures and refusals reach the client.
enum UpstreamErrors {
    /// The wait a client is told when the upstream is overloaded and says nothing itself.
    static let defaultRetryAfter = "1"

    /// A transport failure (no answer at all) as the platform error the client gets.
    static func map(_ error: UpstreamError) -> InferenceError {
        if error.isTimeout { return .deadlineExceeded("the upstream did not answer in time") }
        if error.isCancellation { return .unavailable("the request was cancelled") }
        if error.isConnectFailure || error.isConnectionLost || error.isSafeToRetry {
            return .unavailable("the inference upstream is unreachable", retryAfter: .seconds(1))
        }
        return .upstream(status: 502, message: "the inference upstream failed to answer")
    }

    /// Any error thrown by an upstream call: platform errors pass, the rest are mapped.
    static func map(_ error: any Error) -> any Error {
        switch error {
        case let error as InferenceError: return error
        case let error as UpstreamError: return map(error)
        default: return error
        }
    }

    /// The overload contract: an upstream 429, or Triton's "exceeds maximum queue size" under any
    /// status, reaches the client as 429 with `Retry-After`.
    static func overloadAware(_ answer: UpstreamResponse) -> UpstreamResponse {
        var answer = answer
        let overloaded = answer.status == 429 || (answer.status >= 400 && isQueueFull(answer))
        guard overloaded else { return answer }
        answer.status = 429
        if answer.header("Retry-After") == nil {
            answer.headers.append((name: "Retry-After", value: defaultRetryAfter))
        }
        return answer
    }

    /// The platform error for an upstream answer that is not a success.
    static func error(for answer: UpstreamResponse) -> InferenceError {
        let text = answer.errorText
        if answer.status == 429 || isQueueFull(answer) {
            let seconds = answer.header("Retry-After").flatMap(Int64.init) ?? 1
            return .overloaded(message: text, retryAfter: .seconds(max(1, seconds)))
        }
        if answer.status == 404 { return .notFound(text) }
        return .upstream(status: answer.status, message: text)
    }

    private static func isQueueFull(_ answer: UpstreamResponse) -> Bool {
        guard answer.body.count < 4096 else { return false }
        return String(decoding: answer.body, as: UTF8.self).lowercased().contains("exceeds maximum queue size")
    }
}
