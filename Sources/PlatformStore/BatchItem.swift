import Foundation
import PostgresClient

/// Where one item of a batch is: `pending`, then one final state.
public enum BatchItemStatus: String, Sendable, Hashable, CaseIterable {
    /// Seen but not finished (it may have failed attempts behind it).
    case pending
    /// Inferred and its output written.
    case succeeded
    /// Failed for good (sent to the dead-letter topic).
    case failed
    /// Not run because its job was cancelled.
    case skipped

    /// True for the states that count towards the job's progress.
    public var isFinal: Bool { self != .pending }
}

/// One item of a batch job, as stored in `batch_items`.
public struct BatchItem: Sendable, Hashable {
    /// The job the item belongs to.
    public var jobID: UUID
    /// The item's id, unique within its job.
    public var itemID: String
    /// The item's state.
    public var status: BatchItemStatus
    /// Where its output was written, for a succeeded item.
    public var outputURI: String?
    /// The bytes of its line within the object at ``outputURI`` when that is a shard of many
    /// items; `nil` when the object is the item's own.
    public var outputRange: Range<Int>?
    /// Why it failed, for a failed item (or the last failed attempt of a pending one).
    public var error: String?
    /// A short machine-readable name of the failure (`model_error`, `invalid_item`, …), when known.
    public var errorCode: String?
    /// The ``errorCode`` of an item that was not finished before its job's completion window ended.
    public static let expiredErrorCode = "expired"
    /// The item's place in its job's input (0-based), when its producer sent one.
    public var position: Int?
    /// How many times a result or attempt was recorded for it.
    public var attempts: Int
    /// The inference latency in milliseconds, when measured.
    public var latencyMs: Double?
    /// When the item last changed.
    public var updatedAt: Date

    /// The columns ``init(row:)`` reads, for `SELECT` lists.
    static let columns =
        """
        job_id, item_id, status, output_uri, output_offset, output_length, error, error_code, position, attempts, \
        latency_ms, updated_at
        """

    init(row: PostgresRow) throws {
        jobID = try row.decode("job_id")
        itemID = try row.decode("item_id")
        let statusText: String = try row.decode("status")
        guard let status = BatchItemStatus(rawValue: statusText) else {
            throw PlatformStoreError.invalidArgument("unknown batch item status in the database")
        }
        self.status = status
        outputURI = try row.decode("output_uri")
        let offset: Int? = try row.decode("output_offset")
        let length: Int? = try row.decode("output_length")
        if let offset, let length, offset >= 0, length >= 0 {
            outputRange = offset..<(offset + length)
        }
        error = try row.decode("error")
        errorCode = try row.decode("error_code")
        position = try row.decode("position")
        attempts = try row.decode("attempts")
        latencyMs = try row.decode("latency_ms")
        updatedAt = try row.decode("updated_at")
    }
}

/// One page of a job's items, in item-id order.
public struct BatchItemPage: Sendable, Hashable {
    /// The items on this page.
    public var items: [BatchItem]
    /// Pass as `after:` to get the next page; `nil` on the last page.
    public var nextCursor: String?
}

/// What ``BatchJobStore/recordItemResult(jobID:itemID:status:outputURI:error:latencyMs:)`` did.
public struct ItemResultOutcome: Sendable, Hashable {
    /// True when this call moved the item into a final state and counted it; false for a repeat
    /// (a redelivered message), which changes nothing.
    public var counted: Bool
    /// True for exactly one call per job: the one whose item completed the job.
    public var completedJob: Bool

    /// Creates an outcome (for test doubles of the store).
    public init(counted: Bool, completedJob: Bool) {
        self.counted = counted
        self.completedJob = completedJob
    }
}
