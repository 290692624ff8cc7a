import Foundation
import PostgresClient

/// One item's final result, for ``BatchJobStore/recordItemResults(_:)``.
public struct ItemResult: Sendable, Hashable {
    /// The job the item belongs to.
    public var jobID: UUID
    /// The item's id, unique within its job.
    public var itemID: String
    /// `succeeded`, `failed` or `skipped`.
    public var status: BatchItemStatus
    /// Where its output was written, for a succeeded item.
    public var outputURI: String?
    /// The bytes of the item's line within the object at ``outputURI`` (a shard of many items);
    /// `nil` when the object holds only this item.
    public var outputRange: Range<Int>?
    /// Why it failed, for a failed item. Stored sanitised: control characters (NUL among them,
    /// which PostgreSQL text cannot hold) replaced and cut to ``maxErrorLength`` characters.
    public var error: String?
    /// A short machine-readable name of the failure, for a failed item.
    public var errorCode: String?
    /// The item's place in its job's input (0-based), when known.
    public var position: Int?
    /// The inference latency in milliseconds, when measured.
    public var latencyMs: Double?

    /// The longest error text stored for an item, in Unicode scalars.
    public static let maxErrorLength = 2000

    /// Creates a result.
    public init(
        jobID: UUID, itemID: String, status: BatchItemStatus, outputURI: String?, outputRange: Range<Int>? = nil,
        error: String?, errorCode: String? = nil, position: Int? = nil, latencyMs: Double?
    ) {
        self.jobID = jobID
        self.itemID = itemID
        self.status = status
        self.outputURI = outputURI
        self.outputRange = outputRange
        self.error = error
        self.errorCode = errorCode
        self.position = position
        self.latencyMs = latencyMs
    }
}

extension BatchJobStore {
    /// Records many items' final results and counts them towards their jobs, in one transaction
    /// (one statement for the items, one per job for the counters).
    ///
    /// The same exactly-once rules as ``recordItemResult(jobID:itemID:status:outputURI:error:latencyMs:)``
    /// hold per item: only a move from "not seen" or `pending` to a final state counts; a repeat,
    /// including a second copy of one (job, item) within `results`, reports `counted == false`.
    /// For each job the batch completes, exactly one of its items reports `completedJob == true`.
    ///
    /// - Returns: one outcome per result, in the order given.
    /// - Throws: ``PlatformStoreError/jobNotFound`` when a job was never created (nothing is
    ///   recorded then).
    public func recordItemResults(_ results: [ItemResult]) async throws -> [ItemResultOutcome] {
        guard results.allSatisfy(\.status.isFinal) else {
            throw PlatformStoreError.invalidArgument("an item result must be succeeded, failed or skipped")
        }
        guard !results.isEmpty else { return [] }
        let firsts = Self.firstOccurrences(results)
        // Rows are locked in one global order (job, item), then jobs in job order: concurrent
        // batches that share rows queue instead of deadlocking.
        let order = firsts.sorted { Self.lockOrder(results[$0], results[$1]) }
        let ordered = order.map { results[$0] }
        // A job that does not exist has no counter row: count(_:_:_:) throws and nothing is kept.
        return try await pool.withTransaction { connection in
            let moved = try await insertFinal(ordered, connection)
            let counted = firsts.filter { moved.contains(ItemKey(results[$0])) }
            var deltas: [UUID: StatusCounts] = [:]
            var lastCounted: [UUID: Int] = [:]
            for index in counted {
                deltas[results[index].jobID, default: StatusCounts()].add(results[index].status)
                lastCounted[results[index].jobID] = index
            }
            var completingItems = Set<Int>()
            for (jobID, counts) in deltas.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
                if try await count(counts, jobID, connection), let index = lastCounted[jobID] {
                    completingItems.insert(index)
                }
            }
            let countedItems = Set(counted)
            return results.indices.map {
                ItemResultOutcome(counted: countedItems.contains($0), completedJob: completingItems.contains($0))
            }
        }
    }

    /// Inserts or finalizes the rows; returns the ones that moved into their final state.
    private func insertFinal(_ results: [ItemResult], _ connection: PostgresConnection) async throws -> Set<ItemKey> {
        let rows = try await connection.query(
            """
            INSERT INTO batch_items AS item
                (job_id, item_id, status, output_uri, output_offset, output_length, error, error_code, position,
                attempts, latency_ms, updated_at)
            SELECT r.job_id::uuid, r.item_id, r.status, r.output_uri, r.output_offset::bigint,
                r.output_length::integer, r.error, r.error_code, r.position::bigint, 1,
                r.latency_ms::double precision, now()
            FROM unnest(
                    $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::text[])
                WITH ORDINALITY
                AS r(job_id, item_id, status, output_uri, error, latency_ms, output_offset, output_length, error_code,
                    position, ordinal)
            ORDER BY r.ordinal
            ON CONFLICT (job_id, item_id) DO UPDATE
            SET status = EXCLUDED.status, output_uri = EXCLUDED.output_uri, output_offset = EXCLUDED.output_offset,
                output_length = EXCLUDED.output_length, error = EXCLUDED.error, error_code = EXCLUDED.error_code,
                position = COALESCE(EXCLUDED.position, item.position),
                attempts = item.attempts + 1, latency_ms = EXCLUDED.latency_ms, updated_at = now()
            WHERE item.status = 'pending'
            RETURNING item.job_id, item.item_id
            """,
            [
                .textArray(results.map { $0.jobID.uuidString.lowercased() }), .textArray(results.map(\.itemID)),
                .textArray(results.map(\.status.rawValue)), .textArray(results.map(\.outputURI)),
                .textArray(results.map { $0.error.map(Self.storableError) }),
                .textArray(results.map { $0.latencyMs.map { "\($0)" } }),
                .textArray(results.map { $0.outputRange.map { "\($0.lowerBound)" } }),
                .textArray(results.map { $0.outputRange.map { "\($0.count)" } }),
                .textArray(results.map { $0.errorCode.map(Self.storableError) }),
                .textArray(results.map { $0.position.map { "\($0)" } }),
            ])
        var moved = Set<ItemKey>()
        for row in rows {
            moved.insert(ItemKey(jobID: try row.decode("job_id"), itemID: try row.decode("item_id")))
        }
        return moved
    }

    /// An item's error as stored: no control characters, at most ``ItemResult/maxErrorLength``.
    static func storableError(_ error: String) -> String {
        PostgresText.sanitized(error, limit: ItemResult.maxErrorLength)
    }

    /// Adds `counts` to the job's counters and completes the job when all items are counted
    /// (`expired` instead of `completed` when any of its items expired); true when this call did.
    /// Concurrent updates of one job row queue on its row lock, and each sees the counters its
    /// predecessor committed, so exactly one of them crosses the total.
    private func count(_ counts: StatusCounts, _ jobID: UUID, _ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            UPDATE batch_jobs SET
                succeeded = succeeded + $2, failed = failed + $3, skipped = skipped + $4,
                status = CASE
                    WHEN status IN ('queued', 'running') AND total IS NOT NULL
                        AND succeeded + failed + skipped + $5 >= total THEN
                        CASE WHEN expires_at IS NOT NULL AND EXISTS (
                                SELECT 1 FROM batch_items WHERE job_id = $1 AND error_code = '\(BatchItem.expiredErrorCode)')
                            THEN 'expired' ELSE 'completed' END
                    WHEN status = 'queued' THEN 'running'
                    ELSE status END,
                finished_at = CASE
                    WHEN status IN ('queued', 'running') AND total IS NOT NULL
                        AND succeeded + failed + skipped + $5 >= total THEN now()
                    ELSE finished_at END,
                updated_at = now()
            WHERE id = $1
            RETURNING status, total, succeeded + failed + skipped AS processed
            """,
            [
                .uuid(jobID), .int(Int64(counts.succeeded)), .int(Int64(counts.failed)),
                .int(Int64(counts.skipped)), .int(Int64(counts.total)),
            ])
        guard let row = try rows.singleRow() else { throw PlatformStoreError.jobNotFound }
        let newStatus: String = try row.decode("status")
        guard BatchJobStatus(rawValue: newStatus)?.hasResultFiles == true, let total: Int = try row.decode("total")
        else {
            return false
        }
        let processed: Int = try row.decode("processed")
        return processed >= total && processed - counts.total < total
    }

    /// The index of the first result for each (job, item), in input order.
    private static func firstOccurrences(_ results: [ItemResult]) -> [Int] {
        var seen = Set<ItemKey>()
        return results.indices.filter { seen.insert(ItemKey(results[$0])).inserted }
    }

    private static func lockOrder(_ left: ItemResult, _ right: ItemResult) -> Bool {
        let leftJob = left.jobID.uuidString
        let rightJob = right.jobID.uuidString
        return leftJob != rightJob ? leftJob < rightJob : left.itemID.utf8.lexicographicallyPrecedes(right.itemID.utf8)
    }
}

private struct ItemKey: Hashable {
    var jobID: UUID
    var itemID: String

    init(jobID: UUID, itemID: String) {
        self.jobID = jobID
        self.itemID = itemID
    }

    init(_ result: ItemResult) {
        self.init(jobID: result.jobID, itemID: result.itemID)
    }
}

private struct StatusCounts {
    var succeeded = 0
    var failed = 0
    var skipped = 0
    var total: Int { succeeded + failed + skipped }

    mutating func add(_ status: BatchItemStatus) {
        switch status {
        case .succeeded: succeeded += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        case .pending: break
        }
    }
}
