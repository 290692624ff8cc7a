import Foundation
import PostgresClient

/// Where a batch job is in its life: `queued → running → completed | failed | cancelled`.
public enum BatchJobStatus: String, Sendable, Hashable, CaseIterable {
    /// Created; no item has been processed yet.
    case queued
    /// At least one item has been processed.
    case running
    /// Every item reached a final state.
    case completed
    /// Every item reached a final state, some of them failed because the job's completion
    /// window ended first.
    case expired
    /// Stopped by the platform; see ``BatchJob/error``.
    case failed
    /// Stopped on request; remaining items are skipped.
    case cancelled

    /// True for the states a job never leaves.
    public var isFinal: Bool { self != .queued && self != .running }

    /// True for the states a job ends in once every item is counted: its result files get written.
    public var hasResultFiles: Bool { self == .completed || self == .expired }
}

/// A batch job with its counters, as stored in `batch_jobs`.
public struct BatchJob: Sendable, Hashable {
    /// The job id (the Kafka message key).
    public var id: UUID
    /// The model every item is sent to.
    public var model: String
    /// The model version, when pinned.
    public var version: String?
    /// The current state.
    public var status: BatchJobStatus
    /// The number of items, or `nil` while unknown (a job first seen from Kafka).
    public var total: Int?
    /// Items that produced an output.
    public var succeeded: Int
    /// Items that failed for good.
    public var failed: Int
    /// Items skipped because the job was cancelled.
    public var skipped: Int
    /// The principal that submitted the job; `nil` for a job only an administrator may see.
    public var owner: String?
    /// Where a completion notice is posted, if anywhere.
    public var callbackURL: String?
    /// The object-store prefix outputs are written under.
    public var outputPrefix: String?
    /// Why the job failed, for a `failed` job.
    public var error: String?
    /// When the job was created.
    public var createdAt: Date
    /// When the job last changed.
    public var updatedAt: Date
    /// When the job reached a final state.
    public var finishedAt: Date?
    /// `low`, `normal`, `high` or `urgent`: which requests topic its items went to.
    public var priority: String
    /// The key of the job's `output.jsonl` in the bucket, once its result files are written.
    public var outputFileKey: String?
    /// The key of the job's `errors.jsonl` in the bucket, once its result files are written.
    public var errorFileKey: String?
    /// When the job's completion window ends, if it has one.
    public var expiresAt: Date?

    /// Items in a final state: `succeeded + failed + skipped`.
    public var processed: Int { succeeded + failed + skipped }

    /// The fraction of items processed (0…1), or `nil` while the total is unknown.
    public var progress: Double? {
        guard let total else { return nil }
        return total == 0 ? 1 : min(1, Double(processed) / Double(total))
    }

    /// The columns ``init(row:)`` reads, for `SELECT` lists.
    static let columns = """
        id, model, version, status, total, succeeded, failed, skipped, owner, callback_url, output_prefix, error, \
        created_at, updated_at, finished_at, output_file_key, error_file_key, priority, expires_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        model = try row.decode("model")
        version = try row.decode("version")
        let statusText: String = try row.decode("status")
        guard let status = BatchJobStatus(rawValue: statusText) else {
            throw PlatformStoreError.invalidArgument("unknown batch job status in the database")
        }
        self.status = status
        total = try row.decode("total")
        succeeded = try row.decode("succeeded")
        failed = try row.decode("failed")
        skipped = try row.decode("skipped")
        owner = try row.decode("owner")
        callbackURL = try row.decode("callback_url")
        outputPrefix = try row.decode("output_prefix")
        error = try row.decode("error")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        finishedAt = try row.decode("finished_at")
        outputFileKey = try row.decode("output_file_key")
        errorFileKey = try row.decode("error_file_key")
        priority = try row.decode("priority")
        expiresAt = try row.decode("expires_at")
    }
}

/// What ``BatchJobStore/cancel(_:)`` found.
public enum CancelOutcome: Sendable, Hashable {
    /// The job is now cancelled.
    case cancelled
    /// The job had already reached this final state; nothing changed.
    case alreadyFinished(BatchJobStatus)
    /// No job has this id.
    case notFound
}

/// Whose jobs a caller may read or cancel; the store applies it in SQL.
public enum BatchJobAccess: Sendable, Hashable {
    /// Every job (an administrator, or the platform itself).
    case all
    /// Only the jobs whose owner is exactly this principal id; jobs without an owner are hidden.
    case owner(String)

    /// The bound parameter for `($n::text IS NULL OR owner = $n)`: NULL means every job.
    var ownerParameter: PostgresValue? {
        switch self {
        case .all: nil
        case .owner(let owner): .text(owner)
        }
    }
}
