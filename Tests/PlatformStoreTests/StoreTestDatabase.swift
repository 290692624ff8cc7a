import PostgresClient
import TestSupport

/// Gives each test a fresh schema on the stack's PostgreSQL with the platform's migrations
/// applied, and drops it afterwards.
enum StoreTestDatabase {
    /// Runs `body` with a pool confined to a new, migrated schema.
    static func withStore<Result>(
        poolSize: Int = 4, _ body: (_ pool: PostgresPool) async throws -> Result
    ) async throws -> Result {
        try await TestSchema.with(prefix: "store_test_", poolSize: poolSize) { pool, _ in try await body(pool) }
    }
}
