import Foundation
import PostgresClient

/// Batch jobs and their items in PostgreSQL (`batch_jobs`, `batch_items`).
///
/// Every write is idempotent, because Kafka delivers at least once: creating a job twice keeps
/// the first, and recording the same item result twice counts it once.
public struct BatchJobStore: Sendable {
    let pool: PostgresPool

    /// Creates a store over `pool`; the schema must come from ``PlatformMigrations``.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Creates a `queued` job of `total` items (`nil` while unknown: see ``setTotal(_:total:)``),
    /// owned by `owner`; returns false when a job with this id exists, which is then left unchanged.
    /// `priority` is `low`, `normal`, `high` or `urgent`; a `completionWindow` (whole seconds)
    /// sets `expires_at` that long after the job's creation.
    @discardableResult
    public func createJob(
        id: UUID, model: String, version: String?, total: Int?, callbackURL: String?, outputPrefix: String?,
        owner: String? = nil, priority: String = "normal", completionWindow: Duration? = nil
    ) async throws -> Bool {
        if let total, total < 0 { throw PlatformStoreError.invalidArgument("total must not be negative") }
        let rows = try await pool.query(
            """
            INSERT INTO batch_jobs
                (id, model, version, total, callback_url, output_prefix, owner, priority, status, finished_at,
                 expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                    CASE WHEN $4 = 0 THEN 'completed' ELSE 'queued' END,
                    CASE WHEN $4 = 0 THEN now() END,
                    now() + make_interval(secs => $9::bigint))
            ON CONFLICT (id) DO NOTHING
            """,
            [
                .uuid(id), .text(model), version.map(PostgresValue.text), total.map { .int(Int64($0)) },
                callbackURL.map(PostgresValue.text), outputPrefix.map(PostgresValue.text),
                owner.map(PostgresValue.text), .text(priority),
                completionWindow.map { .int(Int64($0.components.seconds)) },
            ])
        return rows.rowsAffected == 1
    }

    /// Makes sure a job exists for an item first seen on Kafka, whose total is unknown; returns
    /// true when this call created it. An existing job is left unchanged.
    @discardableResult
    public func ensureJob(
        id: UUID, model: String, version: String?, outputPrefix: String?, owner: String? = nil
    ) async throws -> Bool {
        let rows = try await pool.query(
            """
            INSERT INTO batch_jobs (id, model, version, output_prefix, owner)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO NOTHING
            """,
            [
                .uuid(id), .text(model), version.map(PostgresValue.text), outputPrefix.map(PostgresValue.text),
                owner.map(PostgresValue.text),
            ])
        return rows.rowsAffected == 1
    }

    /// Sets the total of a job created without one (a streamed upload learns it at the end);
    /// returns false when the job already has a total or does not exist.
    ///
    /// Call it before the job's last item is published: a job completes when an item result
    /// brings its processed count to the total, so a total set after every item was counted
    /// would never complete it.
    @discardableResult
    public func setTotal(_ id: UUID, total: Int) async throws -> Bool {
        guard total >= 1 else { throw PlatformStoreError.invalidArgument("total must be positive") }
        let rows = try await pool.query(
            "UPDATE batch_jobs SET total = $2, updated_at = now() WHERE id = $1 AND total IS NULL",
            [.uuid(id), .int(Int64(total))])
        return rows.rowsAffected == 1
    }

    /// Moves a `queued` job to `running`; returns false when it was in any other state.
    @discardableResult
    public func markRunning(_ id: UUID) async throws -> Bool {
        let rows = try await pool.query(
            "UPDATE batch_jobs SET status = 'running', updated_at = now() WHERE id = $1 AND status = 'queued'",
            [.uuid(id)])
        return rows.rowsAffected == 1
    }

    /// Marks a job that has not finished as `failed` with `error`; returns false when it had
    /// already finished or does not exist.
    @discardableResult
    public func fail(_ id: UUID, error: String) async throws -> Bool {
        let rows = try await pool.query(
            """
            UPDATE batch_jobs SET status = 'failed', error = $2, finished_at = now(), updated_at = now()
            WHERE id = $1 AND status IN ('queued', 'running')
            """,
            [.uuid(id), .text(error)])
        return rows.rowsAffected == 1
    }

    /// Cancels a job that has not finished, if `access` may see it. Items the worker meets
    /// afterwards should be recorded as `skipped` (check ``isCancelled(_:)``).
    public func cancel(_ id: UUID, visibleTo access: BatchJobAccess) async throws -> CancelOutcome {
        try await pool.withTransaction { connection in
            let updated = try await connection.query(
                """
                UPDATE batch_jobs SET status = 'cancelled', finished_at = now(), updated_at = now()
                WHERE id = $1 AND status IN ('queued', 'running') AND ($2::text IS NULL OR owner = $2)
                """,
                [.uuid(id), access.ownerParameter])
            if updated.rowsAffected == 1 { return .cancelled }
            let rows = try await connection.query(
                "SELECT status FROM batch_jobs WHERE id = $1 AND ($2::text IS NULL OR owner = $2)",
                [.uuid(id), access.ownerParameter])
            guard let text = try rows.single("status", as: String.self) else { return .notFound }
            return .alreadyFinished(BatchJobStatus(rawValue: text) ?? .cancelled)
        }
    }

    /// Stops a job whose submission was refused part-way: it becomes `cancelled` with `error`
    /// saying why, so the items already published are skipped. Returns false when the job had
    /// already finished or does not exist.
    @discardableResult
    public func abandon(_ id: UUID, error: String) async throws -> Bool {
        let rows = try await pool.query(
            """
            UPDATE batch_jobs SET status = 'cancelled', error = $2, finished_at = now(), updated_at = now()
            WHERE id = $1 AND status IN ('queued', 'running')
            """,
            [.uuid(id), .text(error)])
        return rows.rowsAffected == 1
    }

    /// True when the job was cancelled (false for an unknown job).
    public func isCancelled(_ jobID: UUID) async throws -> Bool {
        let rows = try await pool.query(
            "SELECT status = 'cancelled' AS cancelled FROM batch_jobs WHERE id = $1", [.uuid(jobID)])
        return try rows.single("cancelled", as: Bool.self) ?? false
    }

    /// The job with its counters, or `nil` when there is none. For the platform's own use; a
    /// caller acting for a client uses ``job(_:visibleTo:)``.
    public func job(_ id: UUID) async throws -> BatchJob? {
        try await job(id, visibleTo: .all)
    }

    /// The job with its counters, or `nil` when there is none or `access` may not see it.
    public func job(_ id: UUID, visibleTo access: BatchJobAccess) async throws -> BatchJob? {
        let rows = try await pool.query(
            "SELECT \(BatchJob.columns) FROM batch_jobs WHERE id = $1 AND ($2::text IS NULL OR owner = $2)",
            [.uuid(id), access.ownerParameter])
        return try rows.singleRow().map(BatchJob.init(row:))
    }

    /// The most recently created jobs `access` may see, newest first, optionally only those in
    /// `status`.
    public func recentJobs(
        status: BatchJobStatus? = nil, visibleTo access: BatchJobAccess = .all, limit: Int = 50
    ) async throws -> [BatchJob] {
        let rows = try await pool.query(
            """
            SELECT \(BatchJob.columns) FROM batch_jobs
            WHERE ($1::text IS NULL OR status = $1) AND ($3::text IS NULL OR owner = $3)
            ORDER BY created_at DESC, id
            LIMIT $2
            """,
            [status.map { .text($0.rawValue) }, .int(Int64(max(1, min(limit, 1000)))), access.ownerParameter])
        return try rows.map(BatchJob.init(row:))
    }
}
