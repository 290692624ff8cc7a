import Foundation
import PostgresClient
import Resilience

/// Job callbacks in PostgreSQL (`callback_outbox`): recorded when a job completes, then claimed,
/// attempted and finished by a delivery loop, never on the path that records results.
///
/// Claims use `FOR UPDATE SKIP LOCKED`, so any number of workers can drain the table together:
/// each due row goes to one of them, and a row whose worker died becomes due again when its
/// lease ends.
public struct CallbackOutbox: Sendable {
    let pool: PostgresPool

    /// Creates an outbox over `pool`; the schema must come from ``PlatformMigrations``.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Records the callback of a completed job; returns false when it was already recorded
    /// (an announcement repeated after a redelivery), which is then left unchanged.
    ///
    /// - Throws: ``PlatformStoreError/jobNotFound`` when the job does not exist.
    @discardableResult
    public func enqueue(jobID: UUID, url: String, body: String) async throws -> Bool {
        do {
            let rows = try await pool.query(
                """
                INSERT INTO callback_outbox (job_id, url, body) VALUES ($1, $2, $3)
                ON CONFLICT (job_id) DO NOTHING
                """,
                [.uuid(jobID), .text(url), .text(body)])
            return rows.rowsAffected == 1
        } catch let error as PostgresError where error.isForeignKeyViolation {
            throw PlatformStoreError.jobNotFound
        }
    }

    /// Claims up to `limit` due callbacks, oldest due first, counting one attempt each; they are
    /// not due again for `lease` unless finished sooner.
    public func claim(limit: Int, lease: Duration) async throws -> [CallbackClaim] {
        guard limit > 0 else { return [] }
        let token = UUID()
        let rows = try await pool.query(
            """
            UPDATE callback_outbox AS o
            SET attempts = o.attempts + 1, claim = $2,
                next_attempt_at = now() + $3 * interval '1 millisecond', updated_at = now()
            FROM (
                SELECT job_id FROM callback_outbox
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            ) AS due
            WHERE o.job_id = due.job_id
            RETURNING o.job_id, o.url, o.body, o.attempts
            """,
            [.int(Int64(limit)), .uuid(token), .int(max(0, lease.wholeMilliseconds))])
        return try rows.map { row in
            CallbackClaim(
                jobID: try row.decode("job_id"), url: try row.decode("url"), body: try row.decode("body"),
                attempt: try row.decode("attempts"), token: token)
        }
    }

    /// Records how `claim`'s attempt ended; returns false when the claim was no longer current
    /// (its lease ran out and another attempt took over), which then changes nothing.
    @discardableResult
    public func finish(_ claim: CallbackClaim, as result: CallbackAttemptResult) async throws -> Bool {
        let sql: String
        var parameters: [PostgresValue?] = [.uuid(claim.jobID), .uuid(claim.token)]
        switch result {
        case .delivered:
            sql = """
                UPDATE callback_outbox SET status = 'delivered', last_error = NULL, claim = NULL,
                    finished_at = now(), updated_at = now()
                WHERE job_id = $1 AND claim = $2 AND status = 'pending'
                """
        case .retry(let delay, let error):
            sql = """
                UPDATE callback_outbox SET last_error = $3, claim = NULL,
                    next_attempt_at = now() + $4 * interval '1 millisecond', updated_at = now()
                WHERE job_id = $1 AND claim = $2 AND status = 'pending'
                """
            parameters += [.text(error), .int(max(0, delay.wholeMilliseconds))]
        case .failed(let error):
            sql = """
                UPDATE callback_outbox SET status = 'failed', last_error = $3, claim = NULL,
                    finished_at = now(), updated_at = now()
                WHERE job_id = $1 AND claim = $2 AND status = 'pending'
                """
            parameters.append(.text(error))
        }
        return try await pool.query(sql, parameters).rowsAffected == 1
    }

    /// The job's callback, or `nil` when none was recorded (no `callback_url`, or the job has not
    /// completed yet).
    public func delivery(jobID: UUID) async throws -> CallbackDelivery? {
        let rows = try await pool.query(
            "SELECT \(CallbackDelivery.columns) FROM callback_outbox WHERE job_id = $1", [.uuid(jobID)])
        return try rows.singleRow().map(CallbackDelivery.init(row:))
    }
}

extension BatchJobStore {
    /// The callback outbox in the same database.
    public var callbackOutbox: CallbackOutbox { CallbackOutbox(pool: pool) }
}
