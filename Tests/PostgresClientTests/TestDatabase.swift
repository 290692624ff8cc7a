import PostgresClient
import TestSupport

/// Gives each test its own schema on the stack's PostgreSQL, so tests never see each other's
/// tables (nor the services' own) and leave nothing behind.
enum TestDatabase {
    /// The stack's connection string (`POSTGRES_URL`).
    static func url() throws -> String { try StackEnvironment.current.require("POSTGRES_URL") }

    /// A configuration for the stack's server with `search_path` set to `schema`.
    static func configuration(schema: String?, poolSize: Int = 4) throws -> PostgresConfiguration {
        PostgresConfiguration(
            connectionString: try url(), poolSize: poolSize, connectTimeout: .seconds(5),
            statementTimeout: .seconds(30), searchPath: schema.map { [$0] })
    }

    /// Runs `body` with a pool confined to a fresh schema, then drops the schema and the pool.
    static func withSchema<Result>(
        poolSize: Int = 4,
        _ body: (_ pool: PostgresPool, _ schema: String) async throws -> Result
    ) async throws -> Result {
        try await TestSchema.with(prefix: "test_", poolSize: poolSize, migrated: false, body)
    }
}
