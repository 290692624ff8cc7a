import Foundation
import PlatformStore

/// `POST /v1/batches` → 202.
struct SubmitAnswer: Encodable {
    var jobID: String
    var status: String
    var total: Int

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case status, total
    }
}

/// `DELETE /v1/batches/{id}` → 200.
struct CancelAnswer: Encodable {
    var jobID: String
    var status: String

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case status
    }
}

/// `429` for an upload stopped part-way by the admission hook: the job runs the accepted items.
struct RefusedAnswer: Encodable {
    var error: String
    var jobID: String
    var accepted: Int

    enum CodingKeys: String, CodingKey {
        case error
        case jobID = "job_id"
        case accepted
    }
}

/// `GET /v1/batches/{id}`.
struct JobAnswer: Encodable {
    var jobID: String
    var model: String
    var version: String?
    var status: String
    var priority: String
    var total: Int?
    var succeeded: Int
    var failed: Int
    var skipped: Int
    var processed: Int
    var progress: Double?
    var error: String?
    /// Whether a callback is set; the URL itself is never echoed.
    var hasCallback: Bool
    /// The callback's delivery (`pending`, `delivered`, `failed`), once its job completed.
    var callbackStatus: String?
    var callbackAttempts: Int?
    var callbackError: String?
    var createdAt: Date
    var updatedAt: Date
    var finishedAt: Date?
    /// When the job's completion window ends, if it has one.
    var expiresAt: Date?
    /// Where `output.jsonl` and `errors.jsonl` are served, once the job's files are written.
    var outputURL: String?
    var errorsURL: String?

    init(_ job: BatchJob, callback: CallbackDelivery? = nil) {
        jobID = job.id.uuidString.lowercased()
        model = job.model
        version = job.version
        status = job.status.rawValue
        priority = job.priority
        total = job.total
        succeeded = job.succeeded
        failed = job.failed
        skipped = job.skipped
        processed = job.processed
        progress = job.progress
        error = job.error
        hasCallback = job.callbackURL != nil
        callbackStatus = callback?.state.rawValue
        callbackAttempts = callback?.attempts
        callbackError = callback?.lastError
        createdAt = job.createdAt
        updatedAt = job.updatedAt
        finishedAt = job.finishedAt
        expiresAt = job.expiresAt
        if job.outputFileKey != nil, job.errorFileKey != nil {
            outputURL = "/v1/batches/\(jobID)/output"
            errorsURL = "/v1/batches/\(jobID)/errors"
        }
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case model, version, status, priority, total, succeeded, failed, skipped, processed, progress, error
        case hasCallback = "has_callback"
        case callbackStatus = "callback_status"
        case callbackAttempts = "callback_attempts"
        case callbackError = "callback_error"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case updatedAt = "updated_at"
        case finishedAt = "finished_at"
        case outputURL = "output_url"
        case errorsURL = "errors_url"
    }
}

/// `GET /v1/batches/{id}/results`.
struct ResultsAnswer: Encodable {
    struct Item: Encodable {
        var itemID: String
        var status: String
        var outputURI: String?
        var outputOffset: Int?
        var outputLength: Int?
        var error: String?
        var errorCode: String?
        var position: Int?
        var attempts: Int
        var latencyMs: Double?
        var updatedAt: Date

        init(_ item: BatchItem) {
            itemID = item.itemID
            status = item.status.rawValue
            errorCode = item.errorCode
            position = item.position
            outputURI = item.outputURI
            outputOffset = item.outputRange?.lowerBound
            outputLength = item.outputRange?.count
            error = item.error
            attempts = item.attempts
            latencyMs = item.latencyMs
            updatedAt = item.updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case itemID = "item_id"
            case status
            case outputURI = "output_uri"
            case outputOffset = "output_offset"
            case outputLength = "output_length"
            case error, attempts, position
            case errorCode = "error_code"
            case latencyMs = "latency_ms"
            case updatedAt = "updated_at"
        }
    }

    var jobID: String
    var items: [Item]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case items
        case nextCursor = "next_cursor"
    }
}
