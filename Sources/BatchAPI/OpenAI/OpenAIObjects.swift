import Foundation
import PlatformStore

/// The ids of the OpenAI Batch API's objects: `batch_{job uuid}`, uploaded files `file-{uuid}`,
/// and a batch's output and error files `file-out-{job uuid}`, `file-err-{job uuid}`.
enum OpenAIID {
    static func batch(_ job: UUID) -> String { "batch_" + job.uuidString.lowercased() }
    static func outputFile(_ job: UUID) -> String { "file-out-" + job.uuidString.lowercased() }
    static func errorFile(_ job: UUID) -> String { "file-err-" + job.uuidString.lowercased() }
    static func newFile() -> String { "file-" + UUID().uuidString.lowercased() }

    /// The job of a `batch_…` id.
    static func job(ofBatch id: String) -> UUID? {
        id.hasPrefix("batch_") ? UUID(uuidString: String(id.dropFirst("batch_".count))) : nil
    }

    /// A batch's result file named by `id`, if it is one.
    static func resultFile(_ id: String) -> (job: UUID, file: BatchResultFile)? {
        if id.hasPrefix("file-out-"), let job = UUID(uuidString: String(id.dropFirst("file-out-".count))) {
            return (job, .output)
        }
        if id.hasPrefix("file-err-"), let job = UUID(uuidString: String(id.dropFirst("file-err-".count))) {
            return (job, .errors)
        }
        return nil
    }
}

/// A file as the OpenAI Files API shows it.
struct OpenAIFileObject: Encodable {
    var id: String
    var object = "file"
    var bytes: Int
    var createdAt: Int
    var filename: String
    var purpose: String
    var status = "processed"

    init(id: String, bytes: Int, createdAt: Date, filename: String, purpose: String) {
        self.id = id
        self.bytes = bytes
        self.createdAt = Int(createdAt.timeIntervalSince1970)
        self.filename = filename
        self.purpose = purpose
    }

    init(_ file: BatchFile) {
        self.init(
            id: file.id, bytes: file.bytes, createdAt: file.createdAt, filename: file.filename, purpose: file.purpose)
    }

    enum CodingKeys: String, CodingKey {
        case id, object, bytes, filename, purpose, status
        case createdAt = "created_at"
    }
}

/// A batch as the OpenAI Batch API shows it, made from the job and its OpenAI fields.
struct OpenAIBatchObject: Encodable {
    struct RequestCounts: Encodable {
        var total: Int
        var completed: Int
        var failed: Int
    }

    var id: String
    var object = "batch"
    var endpoint: String
    var inputFileID: String
    var completionWindow: String
    var status: String
    var outputFileID: String?
    var errorFileID: String?
    var createdAt: Int
    var inProgressAt: Int?
    var finalizingAt: Int?
    var completedAt: Int?
    var failedAt: Int?
    var cancelledAt: Int?
    var expiresAt: Int?
    var expiredAt: Int?
    var requestCounts: RequestCounts
    var metadata: [String: String]?

    init(job: BatchJob, record: OpenAIBatchRecord) {
        id = OpenAIID.batch(job.id)
        endpoint = record.endpoint
        inputFileID = record.inputFileID
        completionWindow = record.completionWindow
        let seconds = { (date: Date) in Int(date.timeIntervalSince1970) }
        createdAt = seconds(job.createdAt)
        let filesWritten = job.outputFileKey != nil
        switch job.status {
        case .queued: status = "validating"
        case .running: status = "in_progress"
        case .completed: status = filesWritten ? "completed" : "finalizing"
        case .expired: status = filesWritten ? "expired" : "finalizing"
        case .failed: status = "failed"
        case .cancelled: status = "cancelled"
        }
        if job.status != .queued { inProgressAt = createdAt }
        expiresAt = job.expiresAt.map(seconds)
        if job.status.hasResultFiles { finalizingAt = job.finishedAt.map(seconds) }
        if job.status.hasResultFiles, filesWritten {
            outputFileID = OpenAIID.outputFile(job.id)
            errorFileID = OpenAIID.errorFile(job.id)
        }
        if job.status == .completed, filesWritten { completedAt = seconds(job.updatedAt) }
        if job.status == .expired, filesWritten { expiredAt = seconds(job.updatedAt) }
        if job.status == .failed { failedAt = job.finishedAt.map(seconds) ?? seconds(job.updatedAt) }
        if job.status == .cancelled { cancelledAt = job.finishedAt.map(seconds) ?? seconds(job.updatedAt) }
        requestCounts = RequestCounts(
            total: (job.total ?? 0) + record.inputErrors, completed: job.succeeded,
            failed: job.failed + job.skipped + record.inputErrors)
        metadata = record.metadata.flatMap {
            try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, endpoint, status, metadata
        case inputFileID = "input_file_id"
        case completionWindow = "completion_window"
        case outputFileID = "output_file_id"
        case errorFileID = "error_file_id"
        case createdAt = "created_at"
        case inProgressAt = "in_progress_at"
        case finalizingAt = "finalizing_at"
        case completedAt = "completed_at"
        case failedAt = "failed_at"
        case cancelledAt = "cancelled_at"
        case expiresAt = "expires_at"
        case expiredAt = "expired_at"
        case requestCounts = "request_counts"
    }
}

/// A page of a list, as the OpenAI API pages them.
struct OpenAIList<Element: Encodable>: Encodable {
    var object = "list"
    var data: [Element]
    var firstID: String?
    var lastID: String?
    var hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case object, data
        case firstID = "first_id"
        case lastID = "last_id"
        case hasMore = "has_more"
    }
}
