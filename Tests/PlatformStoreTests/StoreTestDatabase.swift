import Foundation
import PlatformStore
import PostgresClient
import TestSupport

/// Gives each test a fresh schema on the stack's PostgreSQL with the platform's migrations
/// applied, and drops it afterwards.
enum StoreTestDatabase {
    static func configuration(schema: String?, poolSize: Int) throws -> PostgresConfiguration {
        PostgresConfiguration(
            connectionString: try StackEnvironment.current.require("POSTGRES_URL"), poolSize: poolSize,
            searchPath: schema.map { [$0] })
    }

    /// Runs `body` with a pool confined to a new, migrated schema.
    static func withStore<Result>(
        poolSize: Int = 4, _ body: (_ pool: PostgresPool) async throws -> Result
    ) async throws -> Result {
        let schema = "store_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = PostgresPool(configuration: try configuration(schema: nil, poolSize: 1))
        // A generated identifier, never user input: identifiers cannot be bound as parameters.
        try await admin.query("CREATE SCHEMA \(schema)")
        let pool = PostgresPool(configuration: try configuration(schema: schema, poolSize: poolSize))
        do {
            // A per-schema lock key: test schemas never wait for each other.
            let key = Int64(bitPattern: UInt64(SHA256Digest.hash(schema).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }))
            try await Migrator(pool: pool, lockKey: key).apply(PlatformMigrations.all)
            let result = try await body(pool)
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
