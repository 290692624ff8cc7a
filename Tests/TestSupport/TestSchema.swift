import Foundation
import PlatformStore
import PostgresClient

/// A fresh schema on the stack's PostgreSQL (`POSTGRES_URL`) for one test, dropped afterwards:
/// tests never see each other's tables, nor the services' own, and leave nothing behind.
public enum TestSchema {
    /// Runs `body` with a pool confined to a new schema named `prefix` + random characters, with
    /// the platform's migrations applied when `migrated`.
    public static func with<Result>(
        prefix: String, poolSize: Int = 4, migrated: Bool = true,
        _ body: (_ pool: PostgresPool, _ schema: String) async throws -> Result
    ) async throws -> Result {
        let url = try StackEnvironment.current.require("POSTGRES_URL")
        func configuration(_ searchPath: [String]?, _ poolSize: Int) -> PostgresConfiguration {
            PostgresConfiguration(
                connectionString: url, poolSize: poolSize, connectTimeout: .seconds(5),
                statementTimeout: .seconds(30), searchPath: searchPath)
        }
        let schema = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = PostgresPool(configuration: configuration(nil, 1))
        // A generated identifier, never user input: identifiers cannot be bound as parameters.
        try await admin.query("CREATE SCHEMA \(schema)")
        let pool = PostgresPool(configuration: configuration([schema], poolSize))
        do {
            if migrated {
                // A per-schema lock key: test schemas never wait for each other.
                let key = Int64(
                    bitPattern: UInt64(SHA256Digest.hash(schema).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }))
                try await Migrator(pool: pool, lockKey: key).apply(PlatformMigrations.all)
            }
            let result = try await body(pool, schema)
            await pool.shutdown()
            try await admin.query("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            return result
        } catch {
            await pool.shutdown()
            _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            throw error
        }
    }
}
