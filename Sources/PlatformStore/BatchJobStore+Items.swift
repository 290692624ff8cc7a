import Foundation
import PostgresClient

extension BatchJobStore {
    /// Records an item's final result and counts it towards its job, in one transaction.
    ///
    /// Exactly once per (job, item): only a move from "not seen" or `pending` to a final state
    /// counts, so a redelivered message changes nothing and reports `counted == false`. When the
    /// counted items reach the job's total, the job becomes `completed` (unless it was cancelled or
    /// failed) and exactly that call reports `completedJob == true`.
    ///
    /// - Parameter status: `succeeded`, `failed` or `skipped`; `pending` is rejected (use
    ///   ``recordItemAttempt(jobID:itemID:error:)``).
    /// - Throws: ``PlatformStoreError/jobNotFound`` when the job was never created.
    @discardableResult
    public func recordItemResult(
        jobID: UUID, itemID: String, status: BatchItemStatus, outputURI: String?, error: String?, latencyMs: Double?
    ) async throws -> ItemResultOutcome {
        let result = ItemResult(
            jobID: jobID, itemID: itemID, status: status, outputURI: outputURI, error: error, latencyMs: latencyMs)
        return try await recordItemResults([result])[0]
    }

    /// Which of `itemIDs` in `jobID` are already in a final state (recorded by an earlier delivery).
    public func finalItemIDs(jobID: UUID, among itemIDs: [String]) async throws -> Set<String> {
        guard !itemIDs.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            SELECT item_id FROM batch_items
            WHERE job_id = $1 AND item_id = ANY($2::text[]) AND status <> 'pending'
            """,
            [.uuid(jobID), .textArray(itemIDs)])
        return Set(try rows.map { try $0.decode("item_id") as String })
    }

    /// Records a failed attempt at an item that will be retried: the item stays `pending`, its
    /// attempt count grows and `error` is kept. Does nothing once the item is final.
    public func recordItemAttempt(jobID: UUID, itemID: String, error: String?) async throws {
        // No foreign key on batch_items (see PlatformMigrations.itemRowsUnchecked): the job is checked here.
        let rows = try await pool.query(
            """
            WITH job AS (SELECT id FROM batch_jobs WHERE id = $1)
            INSERT INTO batch_items AS item (job_id, item_id, status, error, attempts, updated_at)
            SELECT job.id, $2, 'pending', $3, 1, now() FROM job
            ON CONFLICT (job_id, item_id) DO UPDATE
            SET error = EXCLUDED.error, attempts = item.attempts + 1, updated_at = now()
            WHERE item.status = 'pending'
            """,
            [.uuid(jobID), .text(itemID), error.map(PostgresValue.text)])
        if rows.rowsAffected == 0, try await job(jobID) == nil { throw PlatformStoreError.jobNotFound }
    }

    /// One item, or `nil` when nothing was recorded for it yet.
    public func item(jobID: UUID, itemID: String) async throws -> BatchItem? {
        let rows = try await pool.query(
            "SELECT \(BatchItem.columns) FROM batch_items WHERE job_id = $1 AND item_id = $2",
            [.uuid(jobID), .text(itemID)])
        return try rows.singleRow().map(BatchItem.init(row:))
    }

    /// A page of the job's recorded items in item-id order, starting after `cursor`; empty when
    /// `access` may not see the job.
    ///
    /// - Parameters:
    ///   - access: whose jobs the caller may read; `.all` for the platform's own use.
    ///   - cursor: `nil` for the first page, then the previous page's `nextCursor`.
    ///   - limit: items per page, 1…1000.
    public func items(
        jobID: UUID, visibleTo access: BatchJobAccess = .all, after cursor: String? = nil, limit: Int = 100
    ) async throws -> BatchItemPage {
        guard (1...1000).contains(limit) else {
            throw PlatformStoreError.invalidArgument("limit must be between 1 and 1000")
        }
        // One extra row tells whether another page follows.
        let rows = try await pool.query(
            """
            SELECT \(BatchItem.columns) FROM batch_items
            WHERE job_id = $1 AND ($2::text IS NULL OR item_id > $2)
              AND EXISTS (SELECT 1 FROM batch_jobs job WHERE job.id = $1 AND ($4::text IS NULL OR job.owner = $4))
            ORDER BY item_id
            LIMIT $3
            """,
            [.uuid(jobID), cursor.map(PostgresValue.text), .int(Int64(limit + 1)), access.ownerParameter])
        var items = try rows.map(BatchItem.init(row:))
        let hasMore = items.count > limit
        if hasMore { items.removeLast() }
        return BatchItemPage(items: items, nextCursor: hasMore ? items.last?.itemID : nil)
    }
}
