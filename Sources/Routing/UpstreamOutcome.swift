import InferenceProtocol
import Foundation

/// How one attempt against a backend ended, from the router's point of view.
enum UpstreamOutcome: Sendable {
    /// A usable answer (2xx, or a client 4xx that says nothing about the backend's health).
    case answered(UpstreamResponse, CallOutcome)
    /// Triton refused for load (429, queue full): pass 429 on, never count it as a fault.
    case overloaded(UpstreamResponse)
    /// A 5xx: the backend is at fault, but it answered, so the answer goes back as it is.
    case serverFault(UpstreamResponse)
    /// No answer, and the request never reached the backend (refused, unresolved, connect timeout): retry.
    case retryable(UpstreamError)
    /// No answer within the deadline.
    case timedOut(UpstreamError)
    /// The client went away.
    case cancelled
    /// Anything else without an answer.
    case failed(any Error)

    /// Classifies a response.
    static func classify(_ response: UpstreamResponse) -> UpstreamOutcome {
        switch response.status {
        case 429: return .overloaded(response)
        case 500...599 where response.isQueueFull: return .overloaded(response)
        case 500...599 where isRequestParseError(response):
            // Triton's HTTP frontend reports a body it cannot parse as 500: it is the client's fault.
            var clientError = response
            clientError.status = 400
            return .answered(clientError, .ignored)
        case 500...599: return .serverFault(response)
        case 400...499 where response.isQueueFull: return .overloaded(response)
        case 400...499: return .answered(response, .ignored)
        default: return .answered(response, .success)
        }
    }

    /// Classifies a thrown error.
    static func classify(_ error: any Error) -> UpstreamOutcome {
        guard let error = error as? UpstreamError else {
            return error is CancellationError ? .cancelled : .failed(error)
        }
        if error.isCancellation { return .cancelled }
        if error.isTimeout { return .timedOut(error) }
        // Only a request that never reached the backend may go to another one: anything that may
        // have been sent could have run, or could be the input that brought the backend down.
        if error.isSafeToRetry { return .retryable(error) }
        return .failed(error)
    }

    /// What this outcome means to the breaker and the outlier detector.
    var callOutcome: CallOutcome {
        switch self {
        case .answered(_, let outcome): return outcome
        case .overloaded, .cancelled: return .ignored
        case .serverFault, .retryable, .timedOut, .failed: return .failure
        }
    }

    /// Triton's words when the request body itself is malformed.
    private static func isRequestParseError(_ response: UpstreamResponse) -> Bool {
        guard response.body.count < 4096 else { return false }
        return String(decoding: response.body, as: UTF8.self).contains("Unable to parse")
    }
}
