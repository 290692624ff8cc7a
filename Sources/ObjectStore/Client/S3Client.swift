import InferenceProtocol
import CurlHTTP
import Foundation
import Logging

/// A client for one S3 bucket: objects (PUT, GET, HEAD, DELETE), ListObjectsV2 and the bucket itself.
///
/// Every request is signed with Signature Version 4 and sent through a ``CurlHTTPTransport`` that
/// the caller owns and shuts down (or use ``withClient(configuration:logger:_:)``). All operations
/// are idempotent and retried on transient failures per ``S3Configuration/retry``; every failure
/// is thrown as an ``ObjectStoreError`` (a cancelled task gets a ``ObjectStoreError/Code/transport``
/// error whose ``ObjectStoreError/underlying`` is `UpstreamError.cancelled`).
public struct S3Client: Sendable {
    /// The bucket this client works on.
    public let bucket: String
    let pathStyle: Bool
    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let requestTimeout: Duration
    let retry: S3RetryPolicy
    let logger: Logger
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let send: @Sendable (HTTPRequestSpec) async throws -> UpstreamResponse

    /// Creates a client sending through `transport`; backoff delays are slept on `clock`.
    ///
    /// Throws ``ObjectStoreError/Code/invalidArgument`` when the endpoint is not an http(s) URL.
    public init(
        configuration: S3Configuration,
        transport: CurlHTTPTransport,
        logger: Logger = Logger(label: "ObjectStore"),
        clock: any Clock<Duration> = ContinuousClock()
    ) throws {
        try self.init(
            configuration: configuration, logger: logger, clock: clock, now: { Date() },
            send: { try await transport.execute($0) })
    }

    /// Creates a client over any request executor (tests substitute the transport here).
    init(
        configuration: S3Configuration,
        logger: Logger = Logger(label: "ObjectStore", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: any Clock<Duration>,
        now: @escaping @Sendable () -> Date,
        send: @escaping @Sendable (HTTPRequestSpec) async throws -> UpstreamResponse
    ) throws {
        guard !configuration.bucket.isEmpty else {
            throw ObjectStoreError.invalidArgument("the S3 bucket name is empty")
        }
        self.bucket = configuration.bucket
        self.pathStyle = configuration.pathStyle
        self.endpoint = try S3Endpoint(configuration.endpoint)
        self.signer = SigV4Signer(
            accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey,
            sessionToken: configuration.sessionToken, region: configuration.region, service: "s3")
        self.requestTimeout = configuration.requestTimeout
        self.retry = configuration.retry
        self.logger = logger
        self.clock = clock
        self.now = now
        self.send = send
    }

    /// Runs `body` with a client on a transport of its own, shut down when `body` returns or throws.
    public static func withClient<Result>(
        configuration: S3Configuration,
        logger: Logger = Logger(label: "ObjectStore"),
        _ body: (S3Client) async throws -> Result
    ) async throws -> Result {
        let transport = CurlHTTPTransport()
        do {
            let result = try await body(S3Client(configuration: configuration, transport: transport, logger: logger))
            await transport.shutdown()
            return result
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    /// Stores `body` under `key`, replacing any object there; returns the new ETag (unquoted).
    ///
    /// `metadata` becomes `x-amz-meta-*` headers: names of ASCII letters, digits and `-`, values
    /// of printable ASCII. The whole body is held in memory and signed (its SHA-256 is sent).
    @discardableResult
    public func put(
        key: String, body: Data, contentType: String = "application/octet-stream", metadata: [String: String] = [:]
    ) async throws -> String {
        try Self.validate(key: key)
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: contentType)]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            try Self.validate(metadataName: name, value: value)
            headers.append((name: "x-amz-meta-\(name.lowercased())", value: value))
        }
        let response = try await perform(S3Request(method: "PUT", key: key, headers: headers, body: body))
        return S3ListPage.unquoted(response.header("ETag") ?? "")
    }

    /// The whole content of the object at `key`.
    ///
    /// Throws ``ObjectStoreError/Code/notFound`` when there is no such object.
    public func get(key: String) async throws -> Data {
        try Self.validate(key: key)
        return try await perform(S3Request(method: "GET", key: key)).body
    }

    /// The bytes `range` of the object at `key` (one HTTP range request).
    ///
    /// Throws ``ObjectStoreError/Code/notFound`` when there is no such object, and
    /// ``ObjectStoreError/Code/invalidResponse`` when the server answers with other bytes than
    /// asked for (a whole object, or a shorter range than the object must hold).
    public func get(key: String, range: Range<Int>) async throws -> Data {
        try Self.validate(key: key)
        guard !range.isEmpty, range.lowerBound >= 0 else { return Data() }
        let response = try await perform(
            S3Request(
                method: "GET", key: key,
                headers: [(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound - 1)")]))
        guard response.status == 206, response.body.count == range.count else {
            throw ObjectStoreError.invalidResponse(
                "asked for \(range.count) bytes at \(range.lowerBound), got \(response.body.count) (HTTP \(response.status))",
                status: response.status)
        }
        return response.body
    }

    /// Size, ETag, content type and metadata of the object at `key`; `nil` when it does not exist.
    public func head(key: String) async throws -> S3ObjectHead? {
        try Self.validate(key: key)
        let response: UpstreamResponse
        do {
            response = try await perform(S3Request(method: "HEAD", key: key))
        } catch let error as ObjectStoreError where error.code == .notFound {
            return nil
        }
        guard let size = response.header("Content-Length").flatMap({ Int($0) }) else {
            throw ObjectStoreError.invalidResponse("HEAD answer without Content-Length", status: response.status)
        }
        var metadata: [String: String] = [:]
        for header in response.headers where header.name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(header.name.lowercased().dropFirst("x-amz-meta-".count))] = header.value
        }
        return S3ObjectHead(
            size: size, etag: S3ListPage.unquoted(response.header("ETag") ?? ""),
            contentType: response.header("Content-Type"), lastModified: response.header("Last-Modified"),
            metadata: metadata)
    }

    /// One page (at most `maxKeys`, 1...1000) of the objects whose keys start with `prefix`.
    ///
    /// Pass the previous page's ``S3ListPage/nextContinuationToken`` to get the next page.
    public func list(prefix: String = "", continuationToken: String? = nil, maxKeys: Int = 1000) async throws
        -> S3ListPage
    {
        guard (1...1000).contains(maxKeys) else {
            throw ObjectStoreError.invalidArgument("maxKeys must be between 1 and 1000, not \(maxKeys)")
        }
        var query: [(name: String, value: String)] = [
            (name: "list-type", value: "2"), (name: "max-keys", value: String(maxKeys)),
        ]
        if !prefix.isEmpty { query.append((name: "prefix", value: prefix)) }
        if let continuationToken { query.append((name: "continuation-token", value: continuationToken)) }
        let response = try await perform(S3Request(method: "GET", key: nil, query: query))
        return try S3ListPage(xml: String(decoding: response.body, as: UTF8.self))
    }

    /// Every object whose key starts with `prefix`, following continuation tokens page by page.
    public func listAll(prefix: String = "", pageSize: Int = 1000) async throws -> [S3ObjectSummary] {
        var objects: [S3ObjectSummary] = []
        var token: String?
        repeat {
            let page = try await list(prefix: prefix, continuationToken: token, maxKeys: pageSize)
            objects += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return objects
    }

    /// Deletes the object at `key`; deleting a key that does not exist succeeds too.
    public func delete(key: String) async throws {
        try Self.validate(key: key)
        _ = try await perform(S3Request(method: "DELETE", key: key))
    }

    /// Creates the bucket; succeeds when this account already owns it.
    public func createBucket() async throws {
        var body: Data?
        if signer.region != "us-east-1" {
            let location = "<LocationConstraint>\(signer.region)</LocationConstraint>"
            body = Data(
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + location + "</CreateBucketConfiguration>").utf8)
        }
        do {
            _ = try await perform(S3Request(method: "PUT", key: nil, body: body))
        } catch let error as ObjectStoreError where error.s3Code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    /// Deletes the bucket, which must be empty.
    public func deleteBucket() async throws {
        _ = try await perform(S3Request(method: "DELETE", key: nil))
    }

    /// True when the bucket exists and the credentials may use it; false when it does not exist.
    public func bucketExists() async throws -> Bool {
        do {
            _ = try await perform(S3Request(method: "HEAD", key: nil))
            return true
        } catch let error as ObjectStoreError where error.code == .bucketMissing {
            return false
        }
    }

    static func validate(key: String) throws {
        guard !key.isEmpty, key.utf8.count <= 1024 else {
            throw ObjectStoreError.invalidArgument("an S3 key must be 1 to 1024 bytes of UTF-8")
        }
    }

    static func validate(metadataName name: String, value: String) throws {
        let nameIsToken =
            !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
            }
        let valueIsPrintable = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        guard nameIsToken, valueIsPrintable else {
            throw ObjectStoreError.invalidArgument(
                "S3 metadata names must be ASCII letters, digits and '-', values printable ASCII")
        }
    }
}
