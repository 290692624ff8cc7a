import Foundation

/// One uploaded part of a multipart upload: its number (1…10,000) and the ETag S3 gave it.
public struct S3UploadedPart: Sendable, Hashable {
    /// The part's number; parts are joined in number order.
    public var number: Int
    /// The part's ETag, unquoted.
    public var etag: String

    /// Creates a part record.
    public init(number: Int, etag: String) {
        self.number = number
        self.etag = etag
    }
}

extension S3Client {
    /// Starts a multipart upload of `key` and returns its upload id.
    public func createMultipartUpload(key: String, contentType: String = "application/octet-stream") async throws
        -> String
    {
        try Self.validate(key: key)
        let response = try await perform(
            S3Request(
                method: "POST", key: key, query: [(name: "uploads", value: "")],
                headers: [(name: "Content-Type", value: contentType)]))
        let body = Substring(String(decoding: response.body, as: UTF8.self))
        guard let uploadID = S3XML.value("UploadId", in: body), !uploadID.isEmpty else {
            throw ObjectStoreError.invalidResponse("no UploadId in the answer", status: response.status)
        }
        return uploadID
    }

    /// Uploads part `number` of the upload; every part but the last must hold at least 5 MiB.
    public func uploadPart(key: String, uploadID: String, number: Int, body: Data) async throws -> S3UploadedPart {
        try Self.validate(key: key)
        guard (1...10_000).contains(number) else {
            throw ObjectStoreError.invalidArgument("a part number is 1 to 10000, not \(number)")
        }
        let response = try await perform(
            S3Request(
                method: "PUT", key: key,
                query: [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadID)],
                body: body))
        guard let etag = response.header("ETag"), !etag.isEmpty else {
            throw ObjectStoreError.invalidResponse("no ETag for part \(number)", status: response.status)
        }
        return S3UploadedPart(number: number, etag: S3ListPage.unquoted(etag))
    }

    /// Joins the uploaded parts into the object at `key`.
    ///
    /// S3 may answer 200 and still report a failure in the body; that is thrown too.
    public func completeMultipartUpload(key: String, uploadID: String, parts: [S3UploadedPart]) async throws {
        try Self.validate(key: key)
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\"\(part.etag)\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await perform(
            S3Request(
                method: "POST", key: key, query: [(name: "uploadId", value: uploadID)],
                headers: [(name: "Content-Type", value: "application/xml")], body: Data(xml.utf8)))
        let body = String(decoding: response.body.prefix(64 * 1024), as: UTF8.self)
        if body.contains("<Error>") {
            throw ObjectStoreError.from(response, bucket: bucket, key: key)
        }
    }

    /// Abandons the upload and frees its parts.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        try Self.validate(key: key)
        _ = try await perform(S3Request(method: "DELETE", key: key, query: [(name: "uploadId", value: uploadID)]))
    }
}
