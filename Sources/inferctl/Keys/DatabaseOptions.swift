import ArgumentParser
import Foundation
import Logging
import PlatformStore
import PostgresClient

/// `--postgres-url`, defaulting to `POSTGRES_URL`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "PostgreSQL URL (default: the POSTGRES_URL environment variable).")
    var postgresURL: String?

    /// Runs `body` with the API key store, after applying the platform's migrations; closes the
    /// pool afterwards.
    func withKeyStore<Value>(_ body: (APIKeyStore) async throws -> Value) async throws -> Value {
        guard let url = postgresURL ?? ProcessInfo.processInfo.environment["POSTGRES_URL"], !url.isEmpty else {
            throw ValidationError("set --postgres-url or POSTGRES_URL")
        }
        var logger = Logger(label: "inferctl")
        logger.logLevel = .warning
        let pool = PostgresPool(
            configuration: PostgresConfiguration(connectionString: url, poolSize: 1, applicationName: "inferctl"),
            logger: logger)
        do {
            try await Migrator(pool: pool, logger: logger).apply(PlatformMigrations.all)
            let value = try await body(APIKeyStore(pool: pool))
            await pool.shutdown()
            return value
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
