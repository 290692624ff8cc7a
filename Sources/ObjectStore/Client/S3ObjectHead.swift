/// What a HEAD request tells about an object.
public struct S3ObjectHead: Sendable, Hashable {
    /// Size in bytes.
    public let size: Int
    /// The ETag without its surrounding quotes.
    public let etag: String
    /// The `Content-Type` stored with the object.
    public let contentType: String?
    /// The `Last-Modified` header as S3 sent it (RFC 7231 date).
    public let lastModified: String?
    /// User metadata (`x-amz-meta-*` headers), names lowercased and without the prefix.
    public let metadata: [String: String]

    /// Creates a value.
    public init(size: Int, etag: String, contentType: String?, lastModified: String?, metadata: [String: String]) {
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
        self.metadata = metadata
    }
}
