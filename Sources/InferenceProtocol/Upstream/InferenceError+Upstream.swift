import Foundation

extension InferenceError {
    /// The platform error for a transport failure (no answer at all): a timeout is
    /// `deadlineExceeded`, an unreachable upstream `unavailable`, anything else a 502.
    public init(_ failure: UpstreamError) {
        if failure.isTimeout {
            self = .deadlineExceeded("the upstream did not answer in time")
        } else if failure.isCancellation {
            self = .unavailable("the request was cancelled")
        } else if failure.isConnectFailure || failure.isConnectionLost || failure.isSafeToRetry {
            self = .unavailable("the inference upstream is unreachable", retryAfter: .seconds(1))
        } else {
            self = .upstream(status: 502, message: "the inference upstream failed to answer")
        }
    }

    /// The platform error for an upstream answer that is not a success: a 429 or a full queue is
    /// `overloaded` (with the upstream's `Retry-After`, at least 1 s), a 404 `notFound`, the
    /// rest `upstream` with the answer's status; the message is the answer's error text.
    public init(answer: UpstreamResponse) {
        let text = answer.errorText
        if answer.status == 429 || answer.isQueueFull {
            let seconds = answer.header("Retry-After").flatMap(Int64.init) ?? 1
            self = .overloaded(message: text, retryAfter: .seconds(max(1, seconds)))
        } else if answer.status == 404 {
            self = .notFound(text)
        } else {
            self = .upstream(status: answer.status, message: text)
        }
    }
}

extension UpstreamResponse {
    /// Whether this is Triton's refusal for a full model queue ("exceeds maximum queue size"),
    /// whatever its status.
    public var isQueueFull: Bool {
        guard status >= 400, body.count < 4096 else { return false }
        return String(decoding: body, as: UTF8.self).lowercased().contains("exceeds maximum queue size")
    }
}
