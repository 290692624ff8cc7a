import Foundation
import PostgresClient

/// A file uploaded through the OpenAI Files API; its bytes are the object at ``objectKey``.
public struct BatchFile: Sendable, Hashable {
    /// `file-…`.
    public var id: String
    /// The principal id that uploaded it.
    public var owner: String?
    /// Why it was uploaded (`batch`).
    public var purpose: String
    /// The name the client gave it.
    public var filename: String
    /// Its size.
    public var bytes: Int
    /// Where its bytes are in the bucket.
    public var objectKey: String
    /// When it was uploaded.
    public var createdAt: Date

    /// Creates a file record.
    public init(
        id: String, owner: String?, purpose: String, filename: String, bytes: Int, objectKey: String,
        createdAt: Date = Date()
    ) {
        self.id = id
        self.owner = owner
        self.purpose = purpose
        self.filename = filename
        self.bytes = bytes
        self.objectKey = objectKey
        self.createdAt = createdAt
    }

    static let columns = "id, owner, purpose, filename, bytes, object_key, created_at"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        owner = try row.decode("owner")
        purpose = try row.decode("purpose")
        filename = try row.decode("filename")
        bytes = try row.decode("bytes")
        objectKey = try row.decode("object_key")
        createdAt = try row.decode("created_at")
    }
}

/// The OpenAI-shaped fields of a job created through the OpenAI Batch API.
public struct OpenAIBatchRecord: Sendable, Hashable {
    /// The job.
    public var jobID: UUID
    /// The file whose lines became the job's items.
    public var inputFileID: String
    /// The endpoint the lines call.
    public var endpoint: String
    /// As given (`24h`).
    public var completionWindow: String
    /// The client's metadata, a JSON object's text.
    public var metadata: String?
    /// Input lines that could not become items; each has a line in the object at `inputErrorKey`.
    public var inputErrors: Int
    /// Where those lines' errors are, when there are any.
    public var inputErrorKey: String?

    /// Creates a record.
    public init(
        jobID: UUID, inputFileID: String, endpoint: String, completionWindow: String, metadata: String?,
        inputErrors: Int, inputErrorKey: String?
    ) {
        self.jobID = jobID
        self.inputFileID = inputFileID
        self.endpoint = endpoint
        self.completionWindow = completionWindow
        self.metadata = metadata
        self.inputErrors = inputErrors
        self.inputErrorKey = inputErrorKey
    }

    static let columns = "job_id, input_file_id, endpoint, completion_window, metadata, input_errors, input_error_key"

    init(row: PostgresRow) throws {
        jobID = try row.decode("job_id")
        inputFileID = try row.decode("input_file_id")
        endpoint = try row.decode("endpoint")
        completionWindow = try row.decode("completion_window")
        metadata = try row.decode("metadata")
        inputErrors = try row.decode("input_errors")
        inputErrorKey = try row.decode("input_error_key")
    }
}

extension BatchJobStore {
    /// Records an uploaded file.
    public func createFile(_ file: BatchFile) async throws {
        try await pool.query(
            """
            INSERT INTO batch_files (id, owner, purpose, filename, bytes, object_key)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                .text(file.id), file.owner.map(PostgresValue.text), .text(file.purpose),
                .text(PostgresText.sanitized(file.filename, limit: 256)), .int(Int64(file.bytes)),
                .text(file.objectKey),
            ])
    }

    /// The file, or `nil` when there is none or `access` may not see it.
    public func file(_ id: String, visibleTo access: BatchJobAccess) async throws -> BatchFile? {
        let rows = try await pool.query(
            "SELECT \(BatchFile.columns) FROM batch_files WHERE id = $1 AND ($2::text IS NULL OR owner = $2)",
            [.text(id), access.ownerParameter])
        return try rows.singleRow().map(BatchFile.init(row:))
    }

    /// Records the OpenAI-shaped fields of a job that exists.
    public func createOpenAIBatch(_ record: OpenAIBatchRecord) async throws {
        try await pool.query(
            """
            INSERT INTO openai_batches
                (job_id, input_file_id, endpoint, completion_window, metadata, input_errors, input_error_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                .uuid(record.jobID), .text(record.inputFileID), .text(record.endpoint), .text(record.completionWindow),
                record.metadata.map(PostgresValue.text), .int(Int64(record.inputErrors)),
                record.inputErrorKey.map(PostgresValue.text),
            ])
    }

    /// The job's OpenAI-shaped fields, or `nil` for a job not created through that API.
    public func openAIBatch(_ jobID: UUID) async throws -> OpenAIBatchRecord? {
        let rows = try await pool.query(
            "SELECT \(OpenAIBatchRecord.columns) FROM openai_batches WHERE job_id = $1", [.uuid(jobID)])
        return try rows.singleRow().map(OpenAIBatchRecord.init(row:))
    }

    /// The newest OpenAI batches `access` may see, created before the job `before` (for paging),
    /// newest first.
    public func openAIBatches(visibleTo access: BatchJobAccess, before: UUID?, limit: Int) async throws
        -> [(BatchJob, OpenAIBatchRecord)]
    {
        let rows = try await pool.query(
            """
            SELECT \(BatchJob.columns.split(separator: ",").map { "job." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
                \(OpenAIBatchRecord.columns.split(separator: ",").map { "o." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM openai_batches o JOIN batch_jobs job ON job.id = o.job_id
            WHERE ($1::text IS NULL OR job.owner = $1)
              AND ($2::uuid IS NULL OR (o.created_at, o.job_id) < (SELECT created_at, job_id FROM openai_batches WHERE job_id = $2))
            ORDER BY o.created_at DESC, o.job_id DESC
            LIMIT $3
            """,
            [access.ownerParameter, before.map(PostgresValue.uuid), .int(Int64(max(1, min(limit, 100))))])
        return try rows.map { (try BatchJob(row: $0), try OpenAIBatchRecord(row: $0)) }
    }
}
