import Foundation
import PostgresClient
import Testing

@Suite("Versioned migrations on the stack's PostgreSQL", .serialized, .timeLimit(.minutes(2)))
struct MigratorTests {
    /// Migrations that leave a trace of every time they run: each inserts one row.
    static let migrations = [
        Migration(
            version: 1, name: "runs table",
            sql: "CREATE TABLE runs (version int NOT NULL); INSERT INTO runs VALUES (1);"),
        Migration(version: 2, name: "second", sql: "INSERT INTO runs VALUES (2); SELECT pg_sleep(0.2);"),
        Migration(version: 3, name: "third", sql: "INSERT INTO runs VALUES (3);"),
    ]

    @Test("pending migrations apply in order, once; a second run does nothing")
    func appliesOnce() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let migrator = Migrator(pool: pool, lockKey: Self.lockKey())
            #expect(try await migrator.apply(Array(Self.migrations.prefix(2)).reversed()) == [1, 2])
            #expect(try await migrator.apply(Self.migrations) == [3])
            #expect(try await migrator.apply(Self.migrations) == [])
            let runs = try await pool.query("SELECT version FROM runs ORDER BY version").map {
                try $0.decode("version", as: Int.self)
            }
            #expect(runs == [1, 2, 3])
            let recorded = try await pool.query("SELECT version, name FROM schema_migrations ORDER BY version")
            #expect(try recorded.map { try $0.decode("name", as: String.self) } == ["runs table", "second", "third"])
        }
    }

    @Test("two migrators starting together apply each migration exactly once")
    func concurrentMigrators() async throws {
        try await TestDatabase.withSchema { pool, schema in
            let other = PostgresPool(
                configuration: try TestDatabase.configuration(schema: schema, poolSize: 1))
            let key = Self.lockKey()
            let first = Migrator(
                pool: pool, lockKey: key, lockRetryInterval: .milliseconds(20))
            let second = Migrator(
                pool: other, lockKey: key, lockRetryInterval: .milliseconds(20))
            async let a = first.apply(Self.migrations)
            async let b = second.apply(Self.migrations)
            let (appliedByA, appliedByB) = try await (a, b)
            #expect((appliedByA + appliedByB).sorted() == [1, 2, 3])
            #expect(Set(appliedByA).isDisjoint(with: appliedByB))
            let count = try await pool.query("SELECT count(*) AS n FROM runs").single("n", as: Int.self)
            #expect(count == 3)
            await other.shutdown()
        }
    }

    @Test("a migration changed after it was applied stops the run")
    func refusesChangedMigration() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let migrator = Migrator(pool: pool, lockKey: Self.lockKey())
            try await migrator.apply(Self.migrations)
            var edited = Self.migrations
            edited[1] = Migration(version: 2, name: "second", sql: "INSERT INTO runs VALUES (22);")
            edited.append(Migration(version: 4, name: "fourth", sql: "INSERT INTO runs VALUES (4);"))
            let error = await #expect(throws: PostgresError.self) { try await migrator.apply(edited) }
            #expect(error?.code == .migrationFailed)
            #expect(error.map { "\($0)".contains("changed") } == true)
            let count = try await pool.query("SELECT count(*) AS n FROM runs").single("n", as: Int.self)
            #expect(count == 3)
            // The lock was released: a correct list still runs.
            #expect(try await migrator.apply(Self.migrations) == [])
        }
    }

    @Test("a failing migration is rolled back and not recorded; earlier ones stay")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let migrator = Migrator(pool: pool, lockKey: Self.lockKey())
            let broken = [
                Self.migrations[0],
                Migration(version: 2, name: "broken", sql: "INSERT INTO runs VALUES (2); SELECT * FROM missing_table;"),
            ]
            let error = await #expect(throws: PostgresError.self) { try await migrator.apply(broken) }
            #expect(error?.code == .migrationFailed)
            #expect(error?.sqlState == "42P01")
            let runs = try await pool.query("SELECT version FROM runs").map { try $0.decode("version", as: Int.self) }
            #expect(runs == [1])
            let versions = try await pool.query("SELECT version FROM schema_migrations").map {
                try $0.decode("version", as: Int.self)
            }
            #expect(versions == [1])
        }
    }

    @Test("duplicate versions are rejected before anything runs")
    func rejectsDuplicateVersions() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let migrator = Migrator(pool: pool, lockKey: Self.lockKey())
            let duplicated = [Self.migrations[0], Migration(version: 1, name: "again", sql: "SELECT 1")]
            let error = await #expect(throws: PostgresError.self) { try await migrator.apply(duplicated) }
            #expect(error?.code == .migrationFailed)
        }
    }

    /// A lock key per test, so these tests never wait on each other or on the services' migrator.
    static func lockKey() -> Int64 { Int64.random(in: 1...Int64.max / 2) }
}
