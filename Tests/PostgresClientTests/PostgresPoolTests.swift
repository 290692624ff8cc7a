import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("Connection pool on the stack's PostgreSQL", .serialized, .timeLimit(.minutes(2)))
struct PostgresPoolTests {
    struct Planned: Error {}

    @Test("a transaction commits on return and rolls back on throw")
    func transactions() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.query("CREATE TABLE ledger (entry text)")
            try await pool.withTransaction { connection in
                try await connection.query("INSERT INTO ledger VALUES ($1)", [.text("kept")])
            }
            await #expect(throws: Planned.self) {
                try await pool.withTransaction { connection in
                    try await connection.query("INSERT INTO ledger VALUES ($1)", [.text("rolled back")])
                    throw Planned()
                }
            }
            // A statement error aborts the transaction; it must roll back, not poison the pool.
            await #expect(throws: PostgresError.self) {
                try await pool.withTransaction { connection in
                    try await connection.query("INSERT INTO ledger VALUES ($1)", [.text("also rolled back")])
                    try await connection.query("SELECT 1 / 0")
                }
            }
            let entries = try await pool.query("SELECT entry FROM ledger").map {
                try $0.decode("entry", as: String.self)
            }
            #expect(entries == ["kept"])
        }
    }

    @Test("100 concurrent queries share a pool of 4 connections")
    func concurrentQueries() async throws {
        try await TestDatabase.withSchema(poolSize: 4) { pool, _ in
            // 20 ms each: one connection alone would need 2 s, ample time for the pool to open more.
            let results = try await withThrowingTaskGroup(of: (Int, Int, Int32).self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let row = try #require(
                            try await pool.query(
                                "SELECT $1::int8 * 2 AS doubled, pg_backend_pid() AS pid, pg_sleep(0.02)",
                                [.int(Int64(index))]
                            ).singleRow())
                        return (index, try row.decode("doubled"), try row.decode("pid"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 100)
            #expect(results.allSatisfy { $0.1 == $0.0 * 2 })
            let backends = Set(results.map(\.2))
            #expect(backends.count <= 4)
            #expect(backends.count >= 2)
        }
    }

    @Test("a closed port fails fast with connectionFailed, without the password")
    func closedPort() async throws {
        let port = try LoopbackPort.unused()
        // A connect timeout far longer than the bound below: a pool that waited for it could not pass.
        let configuration = PostgresConfiguration(
            connectionString: "postgresql://inference:not-the-real-pw@127.0.0.1:\(port)/inference", poolSize: 2,
            connectTimeout: .seconds(60))
        let pool = PostgresPool(configuration: configuration)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(clock.now - started < .seconds(20), "a refused connection waited for the connect timeout")
        #expect(error?.code == .connectionFailed)
        #expect(error?.isRetryable == true)
        #expect(error.map { !"\($0)".contains("not-the-real-pw") } == true)
        // Many waiters at once all fail instead of waiting for a server that is not there.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask { await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") } }
            }
        }
        await pool.shutdown()
    }

    @Test("a connection whose server process died fails with connectionFailed, then the pool recovers")
    func recoversFromKilledBackend() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            let admin = PostgresPool(
                configuration: try TestDatabase.configuration(schema: nil, poolSize: 1))
            // Killed in the middle of a lease: the next statement reports the broken connection.
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    try await Self.terminate(backend: connection.backendPID, using: admin)
                    try await connection.query("SELECT 1")
                }
            }
            #expect(error?.code == .connectionFailed)
            #expect(try await pool.query("SELECT 1 AS one").single("one", as: Int.self) == 1)

            // Killed while idle in the pool: replaced before use, so the caller sees no error.
            let pid = try #require(try await pool.query("SELECT pg_backend_pid() AS pid").single("pid", as: Int32.self))
            try await Self.terminate(backend: pid, using: admin)
            let newPID = try await pool.query("SELECT pg_backend_pid() AS pid").single("pid", as: Int32.self)
            #expect(newPID != pid)
            await admin.shutdown()
        }
    }

    /// Terminates the server process `pid` and waits until it has exited, so that its socket is
    /// closed: PostgreSQL waits for the process to leave, then the test waits for it to be gone
    /// from this (the server's) machine.
    private static func terminate(backend pid: Int32, using admin: PostgresPool) async throws {
        let terminated = try await admin.query(
            "SELECT pg_terminate_backend($1::int, 60000) AS done", [.int(Int64(pid))]
        ).single("done", as: Bool.self)
        #expect(terminated == true)
        try await eventually("server process \(pid) exited") { kill(pid, 0) != 0 && errno == ESRCH }
    }

    @Test("a lease left inside a transaction is not reused")
    func unfinishedTransactionIsDiscarded() async throws {
        try await TestDatabase.withSchema(poolSize: 1) { pool, _ in
            let first = try await pool.withConnection { connection in
                try await connection.query("BEGIN")
                return connection.backendPID
            }
            let second = try await pool.withConnection { connection in connection.backendPID }
            #expect(first != second)
        }
    }

    @Test("after shutdown leases fail with poolClosed")
    func shutdownClosesPool() async throws {
        let pool = PostgresPool(
            configuration: try TestDatabase.configuration(schema: nil, poolSize: 1))
        #expect(try await pool.query("SELECT 1 AS one").single("one", as: Int.self) == 1)
        await pool.shutdown()
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .poolClosed)
    }
}
