/// The platform-wide error of an inference call, mapped once to an HTTP status and a KServe v2 error body.
///
/// Every module throws this family where a caller must decide what to tell the client: the code picks the
/// status, `message` becomes `{"error": message}`, `retryAfter` becomes a `Retry-After` header.
public struct InferenceError: Error, Sendable, Hashable {
    /// The stable kind of an error; compare with the static constants.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case badRequest
            case unauthenticated
            case forbidden
            case notFound
            case rateLimited
            case overloaded
            case deadlineExceeded
            case unavailable
            case upstream
            case `internal`
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The request is malformed or invalid (400).
        public static let badRequest = Code(.badRequest)
        /// No or invalid credentials (401).
        public static let unauthenticated = Code(.unauthenticated)
        /// Credentials valid but not allowed (403).
        public static let forbidden = Code(.forbidden)
        /// Unknown model, version or resource (404).
        public static let notFound = Code(.notFound)
        /// The caller exceeded its rate limit (429).
        public static let rateLimited = Code(.rateLimited)
        /// The backends are saturated (Triton's queue is full); not a failure (429).
        public static let overloaded = Code(.overloaded)
        /// The deadline passed before an answer (504).
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// No healthy backend could take the request (503).
        public static let unavailable = Code(.unavailable)
        /// A backend answered with an error; its status is passed on (502 if it was not 4xx/5xx).
        public static let upstream = Code(.upstream)
        /// A bug or an unexpected condition here (500).
        public static let `internal` = Code(.internal)

        /// A short label-safe name, e.g. `bad_request`.
        public var name: String {
            switch base {
            case .badRequest: "bad_request"
            case .unauthenticated: "unauthenticated"
            case .forbidden: "forbidden"
            case .notFound: "not_found"
            case .rateLimited: "rate_limited"
            case .overloaded: "overloaded"
            case .deadlineExceeded: "deadline_exceeded"
            case .unavailable: "unavailable"
            case .upstream: "upstream"
            case .internal: "internal"
            }
        }

        /// The same as `name`.
        public var description: String { name }
    }

    /// The kind of error.
    public var code: Code
    /// What went wrong, for the client; must not contain secrets.
    public var message: String
    /// How long the client should wait before retrying, when known (rate limits, overload).
    public var retryAfter: Duration?
    /// The HTTP status a backend answered with, for `upstream` errors.
    public var upstreamStatus: Int?

    /// An error of kind `code`.
    public init(code: Code, message: String, retryAfter: Duration? = nil, upstreamStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.upstreamStatus = upstreamStatus
    }

    /// A short label-safe name of the kind, for metrics.
    public var name: String { code.name }

    /// The HTTP status to answer with.
    public var httpStatus: Int {
        switch code {
        case .badRequest: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .rateLimited, .overloaded: 429
        case .deadlineExceeded: 504
        case .unavailable: 503
        case .upstream: upstreamStatus.flatMap { (400...599).contains($0) ? $0 : nil } ?? 502
        default: 500
        }
    }

    /// The KServe v2 error body for this error.
    public var body: InferenceErrorBody {
        InferenceErrorBody(error: message)
    }

    /// The `Retry-After` header value in whole seconds (rounded up, at least 1), when `retryAfter` is set.
    public var retryAfterHeaderValue: String? {
        guard let retryAfter else { return nil }
        let (seconds, attoseconds) = retryAfter.components
        let whole = seconds + (attoseconds > 0 ? 1 : 0)
        return String(max(1, whole))
    }
}

extension InferenceError: CustomStringConvertible {
    /// `name: message`, plus the upstream status when there is one.
    public var description: String {
        if let upstreamStatus {
            return "\(name) (HTTP \(upstreamStatus)): \(message)"
        }
        return "\(name): \(message)"
    }
}

extension InferenceError {
    /// The request is malformed or invalid (400).
    public static func badRequest(_ message: String) -> Self {
        Self(code: .badRequest, message: message)
    }

    /// No or invalid credentials (401).
    public static func unauthenticated(_ message: String) -> Self {
        Self(code: .unauthenticated, message: message)
    }

    /// Credentials valid but not allowed (403).
    public static func forbidden(_ message: String) -> Self {
        Self(code: .forbidden, message: message)
    }

    /// Unknown model, version or resource (404).
    public static func notFound(_ message: String) -> Self {
        Self(code: .notFound, message: message)
    }

    /// The caller exceeded its rate limit (429, with `Retry-After` when given).
    public static func rateLimited(message: String, retryAfter: Duration? = nil) -> Self {
        Self(code: .rateLimited, message: message, retryAfter: retryAfter)
    }

    /// The backends are saturated (429, with `Retry-After` when given); does not count as a backend failure.
    public static func overloaded(message: String, retryAfter: Duration? = nil) -> Self {
        Self(code: .overloaded, message: message, retryAfter: retryAfter)
    }

    /// The deadline passed before an answer (504).
    public static func deadlineExceeded(_ message: String) -> Self {
        Self(code: .deadlineExceeded, message: message)
    }

    /// No healthy backend could take the request (503, with `Retry-After` when given).
    public static func unavailable(_ message: String, retryAfter: Duration? = nil) -> Self {
        Self(code: .unavailable, message: message, retryAfter: retryAfter)
    }

    /// A backend answered `status` with `message`; a 4xx/5xx status is passed on, anything else becomes 502.
    public static func upstream(status: Int, message: String) -> Self {
        Self(code: .upstream, message: message, upstreamStatus: status)
    }

    /// A bug or an unexpected condition here (500); keep details out of `message`, log them instead.
    public static func `internal`(_ message: String) -> Self {
        Self(code: .internal, message: message)
    }
}
