import InferenceProtocol
import CurlHTTP

/// A failure of an S3 operation.
///
/// Compare ``code`` with the static codes (`error.code == .notFound`). ``description`` says what
/// went wrong and what to check; it never contains credentials, signatures or request bodies.
public struct ObjectStoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; ``description`` is a short, label-safe name for metrics.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case notFound = "not_found"
            case accessDenied = "access_denied"
            case signatureMismatch = "signature_mismatch"
            case bucketMissing = "bucket_missing"
            case server
            case transport
            case invalidResponse = "invalid_response"
            case invalidArgument = "invalid_argument"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The object (key) does not exist.
        public static let notFound = Self(.notFound)
        /// The credentials are unknown or lack permission.
        public static let accessDenied = Self(.accessDenied)
        /// S3 computed a different signature: almost always a wrong secret access key.
        public static let signatureMismatch = Self(.signatureMismatch)
        /// The bucket does not exist.
        public static let bucketMissing = Self(.bucketMissing)
        /// Any other error answer from S3 (``ObjectStoreError/status`` and ``ObjectStoreError/s3Code`` say which).
        public static let server = Self(.server)
        /// S3 could not be reached, or the connection broke or timed out.
        public static let transport = Self(.transport)
        /// S3 answered with something this client cannot read.
        public static let invalidResponse = Self(.invalidResponse)
        /// The caller passed a value S3 cannot accept (e.g. an empty key).
        public static let invalidArgument = Self(.invalidArgument)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The HTTP status when S3 answered, `nil` for transport and argument errors.
    public let status: Int?
    /// S3's own error code from the XML body (e.g. `NoSuchKey`), when it sent one.
    public let s3Code: String?
    /// The transport failure behind a ``Code/transport`` error.
    public let underlying: UpstreamError?
    /// True when the same request may succeed if sent again (5xx, throttling, broken connection).
    public let isRetryable: Bool
    private let message: String

    private init(
        _ code: Code, _ message: String, status: Int? = nil, s3Code: String? = nil,
        underlying: UpstreamError? = nil, isRetryable: Bool = false
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.s3Code = s3Code
        self.underlying = underlying
        self.isRetryable = isRetryable
    }

    /// A short, label-safe name for metrics, e.g. `signature_mismatch`.
    public var name: String { code.description }

    public var description: String { message }

    static func notFound(bucket: String, key: String, status: Int = 404) -> Self {
        Self(.notFound, "no object '\(key)' in bucket '\(bucket)' (NoSuchKey)", status: status, s3Code: "NoSuchKey")
    }

    static func bucketMissing(bucket: String, status: Int = 404) -> Self {
        Self(
            .bucketMissing, "S3 bucket '\(bucket)' does not exist (NoSuchBucket): create it or check S3_BUCKET",
            status: status, s3Code: "NoSuchBucket")
    }

    static func signatureMismatch(status: Int) -> Self {
        Self(
            .signatureMismatch,
            "S3 rejected the request signature (SignatureDoesNotMatch): check AWS_SECRET_ACCESS_KEY and the region",
            status: status, s3Code: "SignatureDoesNotMatch")
    }

    static func unknownAccessKey(status: Int) -> Self {
        Self(
            .accessDenied, "S3 does not know the access key ID (InvalidAccessKeyId): check AWS_ACCESS_KEY_ID",
            status: status, s3Code: "InvalidAccessKeyId")
    }

    static func accessDenied(status: Int, s3Code: String?) -> Self {
        let detail =
            s3Code.map { "(\($0)): the credentials lack permission for this bucket or key" }
            ?? "(HTTP \(status), no detail in the response): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        return Self(.accessDenied, "S3 denied access \(detail)", status: status, s3Code: s3Code)
    }

    static func server(status: Int, s3Code: String?, message: String?) -> Self {
        var text = "S3 answered HTTP \(status)"
        if let s3Code { text += " (\(s3Code))" }
        if let message, !message.isEmpty { text += ": \(String(message.prefix(300)))" }
        let retryable = [500, 502, 503, 504].contains(status) || Self.retryableCodes.contains(s3Code ?? "")
        return Self(.server, text, status: status, s3Code: s3Code, isRetryable: retryable)
    }

    static func transport(_ error: UpstreamError, endpoint: String) -> Self {
        let retryable = error.isConnectFailure || error.isTimeout || error.isKind(of: .connectionLost(""))
        return Self(
            .transport, "could not complete the S3 request to \(endpoint): \(error.description)",
            underlying: error, isRetryable: retryable)
    }

    static func invalidResponse(_ message: String, status: Int? = nil) -> Self {
        Self(.invalidResponse, "unreadable S3 response: \(message)", status: status)
    }

    static func invalidArgument(_ message: String) -> Self {
        Self(.invalidArgument, message)
    }

    /// S3 error codes that mean "try again later" whatever the status.
    private static let retryableCodes: Set<String> = [
        "InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout",
    ]
}
