import Foundation

/// Writes one object from appended pieces with bounded memory: up to ``partSize`` bytes are held,
/// then sent as a part of a multipart upload. An object smaller than one part is sent with one PUT.
///
/// Call ``finish()`` to make the object visible; until then nothing replaces an existing object at
/// the key. After a failure call ``abort()`` so the server frees the parts already sent.
public struct S3ObjectWriter: Sendable {
    /// The bytes held before a part is sent (at least S3's 5 MiB minimum part).
    public let partSize: Int
    let client: S3Client
    let key: String
    let contentType: String
    private var buffer = Data()
    private var uploadID: String?
    private var parts: [S3UploadedPart] = []
    /// The bytes appended so far.
    public private(set) var count = 0

    /// Creates a writer of the object at `key`.
    public init(client: S3Client, key: String, contentType: String, partSize: Int = 8 << 20) {
        self.client = client
        self.key = key
        self.contentType = contentType
        self.partSize = max(5 << 20, partSize)
    }

    /// Adds `bytes` to the object, sending a part when a part's worth is held.
    public mutating func append(_ bytes: Data) async throws {
        buffer.append(bytes)
        count += bytes.count
        if buffer.count >= partSize { try await sendPart() }
    }

    /// Stores what was appended as the object at the key.
    public mutating func finish() async throws {
        guard let uploadID else {
            try await client.put(key: key, body: buffer, contentType: contentType)
            buffer = Data()
            return
        }
        if !buffer.isEmpty || parts.isEmpty { try await sendPart() }
        try await client.completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
        self.uploadID = nil
    }

    /// Abandons a started multipart upload; best effort.
    public mutating func abort() async {
        guard let uploadID else { return }
        try? await client.abortMultipartUpload(key: key, uploadID: uploadID)
        self.uploadID = nil
    }

    private mutating func sendPart() async throws {
        let id: String
        if let uploadID {
            id = uploadID
        } else {
            id = try await client.createMultipartUpload(key: key, contentType: contentType)
            uploadID = id
        }
        parts.append(try await client.uploadPart(key: key, uploadID: id, number: parts.count + 1, body: buffer))
        buffer = Data()
    }
}
