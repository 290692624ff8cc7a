import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeHTTP
import Logging

/// Turns any error into the client's answer, in the one KServe v2 shape `{"error": "..."}`.
///
/// `InferenceError` keeps its status and `Retry-After`; Hummingbird's errors keep their status;
/// a transport failure towards the upstream becomes 503 or 504; anything else is an opaque 500
/// whose details go to the log only.
enum ErrorResponses {
    static func response(for error: any Error, logger: Logger) -> Response {
        inferenceError(for: error, logger: logger).httpResponse()
    }

    /// The platform error an error stands for.
    static func inferenceError(for error: any Error, logger: Logger) -> InferenceError {
        switch error {
        case let error as InferenceError:
            return error
        case let error as HTTPError:
            return httpError(status: error.status, message: error.body)
        case let error as UpstreamError:
            return InferenceError(error)
        case is CancellationError:
            return .unavailable("the request was cancelled")
        case let error as any HTTPResponseError:
            return httpError(status: error.status, message: nil)
        default:
            logger.error("gateway.internal_error", metadata: [GatewayLogKey.error: "\(error)"])
            return .internal("internal error")
        }
    }

    private static func httpError(status: HTTPResponse.Status, message: String?) -> InferenceError {
        let text: String
        switch status {
        case .contentTooLarge: text = message ?? "the request body is too large"
        case .notFound: text = message ?? "no such endpoint"
        case .methodNotAllowed: text = message ?? "method not allowed on this endpoint"
        default: text = message ?? status.reasonPhrase
        }
        switch status.code {
        case 400: return .badRequest(text)
        case 404: return .notFound(text)
        default: return .upstream(status: status.code, message: text)
        }
    }
}
