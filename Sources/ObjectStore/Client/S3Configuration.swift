/// Where the S3 (or S3-compatible) service is and how to sign for it.
///
/// ``description`` shows the endpoint, bucket and access key ID but never the secret access
/// key or the session token.
public struct S3Configuration: Sendable, CustomStringConvertible {
    /// Base URL of the service, e.g. `http://127.0.0.1:9000` or `https://s3.us-east-1.amazonaws.com`.
    public var endpoint: String
    /// Signing region, e.g. `us-east-1`.
    public var region: String
    /// The bucket every operation of a client works on.
    public var bucket: String
    /// Access key ID (`AWS_ACCESS_KEY_ID`).
    public var accessKeyID: String
    /// Secret access key (`AWS_SECRET_ACCESS_KEY`); used only to derive signing keys.
    public var secretAccessKey: String
    /// Path-style URLs (`endpoint/bucket/key`, MinIO and SeaweedFS) when true, the default;
    /// virtual-hosted URLs (`bucket.endpoint/key`) when false.
    public var pathStyle: Bool
    /// Session token of temporary credentials (`AWS_SESSION_TOKEN`), sent as `x-amz-security-token`.
    public var sessionToken: String?
    /// Limit for one HTTP exchange (connect, send, receive), each attempt separately. Default 30 s.
    public var requestTimeout: Duration
    /// How failed idempotent requests are retried. Default: 3 attempts, 100 ms doubling backoff.
    public var retry: S3RetryPolicy

    /// Creates a configuration; the optional arguments have the documented defaults.
    public init(
        endpoint: String,
        region: String,
        bucket: String,
        accessKeyID: String,
        secretAccessKey: String,
        pathStyle: Bool = true,
        sessionToken: String? = nil,
        requestTimeout: Duration = .seconds(30),
        retry: S3RetryPolicy = S3RetryPolicy()
    ) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.pathStyle = pathStyle
        self.sessionToken = sessionToken
        self.requestTimeout = requestTimeout
        self.retry = retry
    }

    public var description: String {
        let token = sessionToken == nil ? "none" : "<redacted>"
        return "S3Configuration(endpoint: \(endpoint), region: \(region), bucket: \(bucket), "
            + "accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(token), "
            + "pathStyle: \(pathStyle))"
    }
}
