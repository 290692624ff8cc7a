/// One object in a listing.
public struct S3ObjectSummary: Sendable, Hashable {
    /// The object's key.
    public let key: String
    /// Size in bytes.
    public let size: Int
    /// The ETag without its surrounding quotes.
    public let etag: String
    /// Last modification time as S3 wrote it (ISO 8601, e.g. `2026-01-02T03:04:05.000Z`).
    public let lastModified: String

    /// Creates a summary value.
    public init(key: String, size: Int, etag: String, lastModified: String) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// One page of a ListObjectsV2 answer.
///
/// When ``isTruncated`` is true, pass ``nextContinuationToken`` to the next
/// ``S3Client/list(prefix:continuationToken:maxKeys:)`` call to get the following page.
public struct S3ListPage: Sendable {
    /// The objects of this page, in key order.
    public let objects: [S3ObjectSummary]
    /// True when more objects follow.
    public let isTruncated: Bool
    /// The token for the next page; `nil` on the last page.
    public let nextContinuationToken: String?

    /// Creates a page value.
    public init(objects: [S3ObjectSummary], isTruncated: Bool, nextContinuationToken: String?) {
        self.objects = objects
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
    }

    /// Parses a `ListBucketResult` document.
    ///
    /// Throws ``ObjectStoreError/Code/invalidResponse`` when the document is not a listing, an
    /// entry lacks a key or size, or a truncated page carries no continuation token.
    init(xml: String) throws(ObjectStoreError) {
        let document = Substring(xml)
        guard document.contains("<ListBucketResult") else {
            throw .invalidResponse("expected a ListBucketResult document")
        }
        var objects: [S3ObjectSummary] = []
        for entry in S3XML.elements("Contents", in: document) {
            guard let key = S3XML.value("Key", in: entry),
                let size = S3XML.value("Size", in: entry).flatMap({ Int($0) })
            else {
                throw .invalidResponse("a listing entry lacks its Key or Size")
            }
            objects.append(
                S3ObjectSummary(
                    key: key, size: size, etag: Self.unquoted(S3XML.value("ETag", in: entry) ?? ""),
                    lastModified: S3XML.value("LastModified", in: entry) ?? ""))
        }
        let isTruncated = S3XML.value("IsTruncated", in: document) == "true"
        let token = S3XML.value("NextContinuationToken", in: document).flatMap { $0.isEmpty ? nil : $0 }
        if isTruncated && token == nil {
            throw .invalidResponse("a truncated listing carries no NextContinuationToken")
        }
        self.init(objects: objects, isTruncated: isTruncated, nextContinuationToken: isTruncated ? token : nil)
    }

    /// `"abc"` → `abc`; S3 quotes ETags in headers and listings alike.
    static func unquoted(_ etag: String) -> String {
        var text = Substring(etag)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        return String(text)
    }
}
