import Foundation
import TestSupport
import Testing

@testable import PostgresClient

/// Lease timeouts: a pool whose connections are all busy, or whose server never answers, fails a
/// lease with `timeout` instead of making the caller wait without end.
@Suite("Pool lease timeout", .serialized, .timeLimit(.minutes(2)))
struct PoolLeaseTimeoutTests {
    @Test("a timed-out waiter leaves the queue; a connection opened for it serves the next or goes idle")
    func stateMachineTimeout() {
        var machine = PoolStateMachine<String>(maximumConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        let first = machine.timedOut(waiter: 1)
        let again = machine.timedOut(waiter: 1)
        #expect(first && !again)
        #expect(machine.waiters == [2])
        guard case .resume(let waiter, _) = machine.opened("a") else {
            Issue.record("the connection should go to the waiter still queued")
            return
        }
        #expect(waiter == 2)
        let served = machine.timedOut(waiter: 2)
        #expect(!served, "a served waiter cannot time out")
        _ = machine.lease(waiter: 3)
        let third = machine.timedOut(waiter: 3)
        #expect(third)
        guard case .none = machine.release("a", reusable: true) else {
            Issue.record("with nobody waiting the connection should become idle")
            return
        }
        #expect(machine.idle == ["a"])
    }

    @Test("every connection busy: the next lease fails with timeout, and works again once one is free")
    func busyPool() async throws {
        var configuration = try TestDatabase.configuration(schema: nil, poolSize: 1)
        configuration.leaseTimeout = .milliseconds(200)
        let pool = PostgresPool(configuration: configuration)
        // Open the pool's one connection first: on a loaded machine opening it can take longer
        // than the lease timeout, and then the holder below would time out instead of holding it.
        try await eventually("the pool's connection is open") {
            do {
                try await pool.query("SELECT 1")
                return true
            } catch let error as PostgresError where error.code == .timeout {
                return false
            }
        }
        let (held, holding) = AsyncStream<Void>.makeStream()
        let (release, releasing) = AsyncStream<Void>.makeStream()
        let holder = Task {
            // Should the lease fail anyway, the wait below ends and `holder.value` reports why.
            defer { holding.finish() }
            try await pool.withConnection { _ in
                holding.yield()
                for await _ in release {}
            }
        }
        for await _ in held { break }
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .timeout)
        #expect(error?.isRetryable == true)
        releasing.finish()
        try await holder.value
        let rows = try await pool.query("SELECT 1 AS one")
        #expect(try rows.singleRow()?.decode("one", as: Int.self) == 1)
        await pool.shutdown()
    }

    @Test("a server that accepts and never answers: the lease fails with timeout before connect_timeout")
    func silentServer() async throws {
        let server = try SilentTCPServer()
        var configuration = PostgresConfiguration(
            connectionString: "postgresql://inference:not-the-real-pw@127.0.0.1:\(server.port)/inference", poolSize: 2,
            connectTimeout: .seconds(5))
        configuration.leaseTimeout = .milliseconds(300)
        let pool = PostgresPool(configuration: configuration)
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        // The listener stays open until here; closing it resets the connection still opening.
        withExtendedLifetime(server) {}
        // connect_timeout (5 s) would fail with connectionFailed: only the lease timeout says timeout.
        #expect(error?.code == .timeout)
        #expect(error?.description.contains("not-the-real-pw") == false)
        await pool.shutdown()
    }
}
