import Foundation
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
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = PostgresPool(configuration: try configuration(schema: nil, poolSize: 1))
        // A generated identifier, never user input: identifiers cannot be bound as parameters.
        try await admin.query("CREATE SCHEMA \(schema)")
        let pool = PostgresPool(configuration: try configuration(schema: schema, poolSize: poolSize))
        do {
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
