import Logging

/// One versioned schema change. Once applied, its SQL must never change: add a new migration
/// instead.
public struct Migration: Sendable, Hashable {
    /// The position in the schema's history; applied in ascending order, each exactly once.
    public let version: Int
    /// A short description, recorded beside the version.
    public let name: String
    /// The SQL, possibly several statements. It runs inside a transaction, so statements that
    /// cannot (`CREATE INDEX CONCURRENTLY`) do not belong here.
    public let sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies ``Migration``s to a database and records them in `schema_migrations`.
///
/// The whole run holds a PostgreSQL advisory lock, so processes starting together apply each
/// migration once: the others wait, then find nothing left to do. Each migration runs in its own
/// transaction together with its record. A migration whose SQL changed after it was applied
/// stops the run.
public struct Migrator: Sendable {
    /// The advisory lock key used unless another is given (`"tritongw"` in ASCII).
    public static let defaultLockKey: Int64 = 0x7472_6974_6f6e_6777

    private let pool: PostgresPool
    private let lockKey: Int64
    private let logger: Logger
    private let lockRetryInterval: Duration

    /// Creates a migrator working through `pool`, logging to `logger` (by default the pool's).
    public init(
        pool: PostgresPool, lockKey: Int64 = Migrator.defaultLockKey, lockRetryInterval: Duration = .milliseconds(100),
        logger: Logger? = nil
    ) {
        self.pool = pool
        self.lockKey = lockKey
        self.lockRetryInterval = lockRetryInterval
        self.logger = logger ?? pool.logger
    }

    /// Applies every migration not yet recorded, in version order; returns the versions applied
    /// by this call (empty when the schema was up to date).
    ///
    /// - Throws: `migrationFailed` for duplicate versions, a changed migration, or a migration
    ///   whose SQL failed (that one is rolled back; those before it stay applied).
    @discardableResult
    public func apply(_ migrations: [Migration]) async throws -> [Int] {
        let ordered = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.version == next.version {
            throw PostgresError(code: .migrationFailed, message: "migration version \(next.version) appears twice")
        }
        return try await pool.withConnection { connection in
            try await lock(connection)
            do {
                let applied = try await applyLocked(ordered, on: connection)
                try await connection.query("SELECT pg_advisory_unlock($1)", [.int(lockKey)])
                return applied
            } catch {
                do {
                    try await connection.query("SELECT pg_advisory_unlock($1)", [.int(lockKey)])
                } catch {
                    // Closing the session is the other way to release a session-level lock.
                    connection.close()
                }
                throw error
            }
        }
    }

    /// Waits for the advisory lock without holding a thread while another process has it.
    private func lock(_ connection: PostgresConnection) async throws {
        while true {
            let rows = try await connection.query("SELECT pg_try_advisory_lock($1) AS locked", [.int(lockKey)])
            if try rows.single("locked", as: Bool.self) == true { return }
            logger.debug("postgres.migration.waiting")
            try await Task.sleep(for: lockRetryInterval)
        }
    }

    private func applyLocked(_ migrations: [Migration], on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version bigint PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var recorded: [Int: String] = [:]
        for row in try await connection.query("SELECT version, checksum FROM schema_migrations") {
            recorded[try row.decode("version", as: Int.self)] = try row.decode("checksum", as: String.self)
        }
        var applied: [Int] = []
        for migration in migrations {
            let checksum = try await self.checksum(of: migration, on: connection)
            if let existing = recorded[migration.version] {
                guard existing == checksum else {
                    throw PostgresError(
                        code: .migrationFailed,
                        message: "migration \(migration.version) (\(migration.name)) changed after it was applied")
                }
                continue
            }
            try await apply(migration, checksum: checksum, on: connection)
            applied.append(migration.version)
        }
        return applied
    }

    private func apply(_ migration: Migration, checksum: String, on connection: PostgresConnection) async throws {
        do {
            try await connection.withTransaction { connection in
                try await connection.executeScript(migration.sql)
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    [.int(Int64(migration.version)), .text(migration.name), .text(checksum)])
            }
        } catch let error as PostgresError where error.code == .queryFailed {
            throw PostgresError(
                code: .migrationFailed, sqlState: error.sqlState,
                message: "migration \(migration.version) (\(migration.name)) failed: \(error.message)")
        }
        logger.info(
            "postgres.migration.applied",
            metadata: [
                PostgresLogKey.migrationVersion: "\(migration.version)",
                PostgresLogKey.migrationName: "\(migration.name)",
            ])
    }

    /// The SHA-256 of the migration's SQL, computed by the server (PostgreSQL 11 or later).
    private func checksum(of migration: Migration, on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query(
            "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS checksum", [.text(migration.sql)])
        guard let checksum = try rows.single("checksum", as: String.self) else {
            throw PostgresError.decoding("the server returned no checksum")
        }
        return checksum
    }
}
