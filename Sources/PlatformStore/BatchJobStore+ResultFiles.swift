import Foundation
import PostgresClient

/// Where a walk over a job's items in input order stands: the last item read.
public struct InputOrderCursor: Sendable, Hashable {
    /// The last item's position; `nil` for items without one (they come last).
    public var position: Int?
    /// The last item's id.
    public var itemID: String
}

extension BatchJobStore {
    /// A page of the job's recorded items in input order (by position, items without one last and
    /// among themselves by item id), starting after `cursor`; `next` is `nil` on the last page.
    public func itemsInInputOrder(
        jobID: UUID, after cursor: InputOrderCursor? = nil, limit: Int = 1000
    ) async throws -> (items: [BatchItem], next: InputOrderCursor?) {
        guard (1...10_000).contains(limit) else {
            throw PlatformStoreError.invalidArgument("limit must be between 1 and 10000")
        }
        let sortKey = "COALESCE(position, \(Int64.max))"
        let rows = try await pool.query(
            """
            SELECT \(BatchItem.columns) FROM batch_items
            WHERE job_id = $1 AND ($2::bigint IS NULL OR (\(sortKey), item_id) > ($2::bigint, $3::text))
            ORDER BY \(sortKey), item_id
            LIMIT $4
            """,
            [
                .uuid(jobID), cursor.map { .int(Int64($0.position ?? Int.max)) }, cursor.map { .text($0.itemID) },
                .int(Int64(limit + 1)),
            ])
        var items = try rows.map(BatchItem.init(row:))
        let hasMore = items.count > limit
        if hasMore { items.removeLast() }
        let next = hasMore ? items.last.map { InputOrderCursor(position: $0.position, itemID: $0.itemID) } : nil
        return (items, next)
    }

    /// Records that the job's result files are written, under these keys of the bucket.
    public func recordResultFiles(jobID: UUID, outputKey: String, errorKey: String) async throws {
        try await pool.query(
            "UPDATE batch_jobs SET output_file_key = $2, error_file_key = $3, updated_at = now() WHERE id = $1",
            [.uuid(jobID), .text(outputKey), .text(errorKey)])
    }
}
