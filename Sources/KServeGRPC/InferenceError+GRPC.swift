import GRPCCore
import GRPCProtobuf
import InferenceProtocol

extension InferenceError: RPCErrorConvertible {
    /// The gRPC status code for this error (the gRPC side of the one mapping; HTTP statuses are
    /// ``InferenceError/httpStatus``): 400 → INVALID_ARGUMENT, 401 → UNAUTHENTICATED, 403 →
    /// PERMISSION_DENIED, 404 → NOT_FOUND, 429 → RESOURCE_EXHAUSTED, 503 → UNAVAILABLE, 504 →
    /// DEADLINE_EXCEEDED, other failures → INTERNAL.
    public var rpcErrorCode: RPCError.Code {
        switch httpStatus {
        case 400, 409, 413, 415, 422: .invalidArgument
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .notFound
        case 429: .resourceExhausted
        case 502, 503: .unavailable
        case 504: .deadlineExceeded
        case 501: .unimplemented
        default: .internalError
        }
    }

    /// The same message as the HTTP body's `error`.
    public var rpcErrorMessage: String { message }

    /// For rate limits, overload and unavailability with a known wait: a `google.rpc.RetryInfo`
    /// detail (`grpc-status-details-bin`) and `retry-after` in whole seconds, as the HTTP header.
    public var rpcErrorMetadata: Metadata {
        guard let retryAfter, let seconds = retryAfterHeaderValue else { return [:] }
        var metadata = GoogleRPCStatus(
            code: rpcErrorCode, message: message, details: [.retryInfo(delay: retryAfter)]
        ).rpcErrorMetadata
        metadata.addString(seconds, forKey: "retry-after")
        return metadata
    }
}
