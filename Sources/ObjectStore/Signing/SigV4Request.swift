import Foundation

/// The parts of an HTTP request that a Signature Version 4 signature covers.
public struct SigV4Request: Sendable {
    /// HTTP method, e.g. `GET`.
    public var method: String
    /// The raw (not yet encoded) absolute path, e.g. `/bucket/a b/c.json`.
    public var path: String
    /// Query parameters, raw (not yet encoded); a parameter without a value has value `""`.
    public var query: [(name: String, value: String)]
    /// Headers to sign; must include `host`. Every header given here is signed.
    public var headers: [(name: String, value: String)]
    /// Lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    /// Creates a request description; `payloadHash` defaults to the hash of an empty body.
    public init(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)],
        payloadHash: String = SigV4Request.emptyPayloadHash
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// Lowercase hex SHA-256 of an empty body.
    public static let emptyPayloadHash = Hashing.emptySHA256Hex

    /// Lowercase hex SHA-256 of `body`, for ``payloadHash`` and `x-amz-content-sha256`.
    public static func payloadHash(of body: Data) -> String {
        Hashing.hex(Hashing.sha256(body))
    }

    /// The query string to put in the URL: the canonical one, so the URL and signature agree.
    public var encodedQuery: String { SigV4Encoding.canonicalQuery(query) }

    /// The path to put in the URL: the canonical one, so the URL and signature agree.
    public var encodedPath: String { SigV4Encoding.canonicalPath(path) }
}

/// Every intermediate of one signature, for diagnostics and tests.
///
/// Holds no secret: the signing key is not kept.
public struct SigV4Signature: Sendable {
    /// The canonical request text (method, URI, query, headers, signed header list, payload hash).
    public let canonicalRequest: String
    /// `AWS4-HMAC-SHA256`, timestamp, credential scope and the canonical request's hash.
    public let stringToSign: String
    /// The lowercase, sorted, `;`-separated names of the signed headers.
    public let signedHeaders: String
    /// The 64 lowercase hex digits of the signature.
    public let signature: String
    /// The complete `Authorization` header value.
    public let authorization: String
}
