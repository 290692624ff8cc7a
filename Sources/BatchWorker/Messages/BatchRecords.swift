import BatchProtocol
import Foundation

/// A dead letter on `inference.batch.dlq`: an item that failed for good, and why.
///
/// `original` is the item's message value as it was read (a JSON object when it was one, else a
/// base64 string in `original_base64`), so it can be fixed and produced again.
struct DeadLetterRecord: Encodable {
    var jobID: String?
    var itemID: String?
    var model: String?
    var version: String?
    var errorCode: String
    var reason: String
    var failedAt: Date
    var source: Source
    var originalBase64: String?

    struct Source: Encodable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case itemID = "item_id"
        case model, version
        case errorCode = "error_code"
        case reason
        case failedAt = "failed_at"
        case source
        case originalBase64 = "original_base64"
    }

    /// The record as JSON, with `original` spliced in raw when the value was a JSON object.
    func encoded(original: [UInt8]) throws -> [UInt8] {
        var record = self
        let originalIsJSON = (try? JSONSerialization.jsonObject(with: Data(original))) is [String: Any]
        record.originalBase64 = originalIsJSON ? nil : Data(original).base64EncodedString()
        var bytes = Array(try BatchJSON.encoder.encode(record))
        if originalIsJSON, bytes.last == UInt8(ascii: "}") {
            bytes.removeLast()
            bytes.append(contentsOf: Array(",\"original\":".utf8))
            bytes.append(contentsOf: original)
            bytes.append(UInt8(ascii: "}"))
        }
        return bytes
    }
}

/// A job event on `inference.batch.events`, e.g. `batch.job.completed`.
struct JobEvent: Encodable {
    var type: String
    var jobID: String
    var model: String
    var version: String?
    var status: String
    var total: Int?
    var succeeded: Int
    var failed: Int
    var skipped: Int
    var manifestURI: String
    var createdAt: Date
    var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case type
        case jobID = "job_id"
        case model, version, status, total, succeeded, failed, skipped
        case manifestURI = "manifest_uri"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }
}

/// The `manifest.json` written beside a finished job's outputs.
struct JobManifest: Encodable {
    var jobID: String
    var model: String
    var version: String?
    var status: String
    var total: Int?
    var succeeded: Int
    var failed: Int
    var skipped: Int
    var createdAt: Date
    var finishedAt: Date?
    /// `output.jsonl` and `errors.jsonl` as `s3://` URIs, and the lines each holds.
    /// `nil` when the files could not be written.
    var outputFile: String?
    var errorFile: String?
    var outputLines: Int?
    var errorLines: Int?
    /// The shards the job's rows point at (the per-item results read them).
    var shards: Int?

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case model, version, status, total, succeeded, failed, skipped, shards
        case createdAt = "created_at"
        case finishedAt = "finished_at"
        case outputFile = "output_file"
        case errorFile = "error_file"
        case outputLines = "output_lines"
        case errorLines = "error_lines"
    }
}
