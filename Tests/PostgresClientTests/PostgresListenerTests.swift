import Foundation
import PostgresClient
import Synchronization
import TestSupport
import Testing

/// The notification listener against the stack's PostgreSQL: delivery, reconnection after the
/// server ends its session, and prompt shutdown.
@Suite(
    "PostgreSQL listener", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: StackEnvironment.current.values["POSTGRES_URL"] != nil, "POSTGRES_URL not set: run `make up` first"))
struct PostgresListenerTests {
    /// Events a listener reported, in order.
    final class EventLog: Sendable {
        private let events = Mutex<[PostgresListener.Event]>([])

        func append(_ event: PostgresListener.Event) { events.withLock { $0.append(event) } }

        var all: [PostgresListener.Event] { events.withLock { $0 } }

        func count(_ event: PostgresListener.Event) -> Int { all.filter { $0 == event }.count }
    }

    /// A channel no other test uses.
    static func channel() -> String {
        "test_listener_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
    }

    /// Runs a listener on `channel` while `body` runs, then cancels it and waits for it to end.
    static func withListener(
        channel: String, connectionString: String? = nil,
        _ body: (PostgresListener, EventLog) async throws -> Void
    ) async throws {
        let listener = PostgresListener(
            configuration: .init(
                connection: .init(connectionString: try connectionString ?? TestDatabase.url()), channel: channel))
        let log = EventLog()
        let run = Task { await listener.run { log.append($0) } }
        do {
            try await body(listener, log)
        } catch {
            run.cancel()
            await run.value
            throw error
        }
        run.cancel()
        await run.value
    }

    @Test("a NOTIFY on the channel reaches the handler with its payload, after a resynchronise")
    func receivesNotification() async throws {
        let channel = Self.channel()
        let pool = PostgresPool(configuration: try TestDatabase.configuration(schema: nil, poolSize: 1))
        try await Self.withListener(channel: channel) { listener, log in
            try await eventually("the listener listens") { log.count(.resynchronise) == 1 }
            #expect(listener.backendPID != nil)
            try await pool.query("SELECT pg_notify($1, $2)", [.text(channel), .text("first")])
            try await pool.query("SELECT pg_notify($1, $2)", [.text(Self.channel()), .text("other channel")])
            try await pool.query("SELECT pg_notify($1, $2)", [.text(channel), .text("second")])
            try await eventually("both notifications arrive") {
                log.count(.notification(channel: channel, payload: "second")) == 1
            }
            #expect(
                log.all == [
                    .resynchronise, .notification(channel: channel, payload: "first"),
                    .notification(channel: channel, payload: "second"),
                ])
        }
        await pool.shutdown()
    }

    @Test("after the server terminates its session it reconnects, resynchronises and receives later notifications")
    func reconnectsAfterTermination() async throws {
        let channel = Self.channel()
        let pool = PostgresPool(configuration: try TestDatabase.configuration(schema: nil, poolSize: 1))
        try await Self.withListener(channel: channel) { listener, log in
            let first = try await eventuallyValue("the listener listens") { listener.backendPID }
            let terminated = try await pool.query(
                "SELECT pg_terminate_backend($1::integer) AS done", [.int(Int64(first))])
            #expect(try terminated.single("done", as: Bool.self) == true)
            let second = try await eventuallyValue("the listener listens again") {
                listener.backendPID.flatMap { $0 == first ? nil : $0 }
            }
            #expect(second != first)
            #expect(log.all.prefix(3) == [.resynchronise, .connectionLost, .resynchronise])
            try await pool.query("SELECT pg_notify($1, $2)", [.text(channel), .text("after")])
            try await eventually("the notification sent after the reconnection arrives") {
                log.count(.notification(channel: channel, payload: "after")) == 1
            }
        }
        await pool.shutdown()
    }

    @Test("a server that hangs up is retried without a resynchronise, and cancellation ends the run")
    func retriesAndStops() async throws {
        let server = try HangUpTCPServer()
        let url = "postgresql://nobody:not-a-password@127.0.0.1:\(server.port)/none"
        try await Self.withListener(channel: Self.channel(), connectionString: url) { listener, log in
            try await eventually("several attempts were made") { server.requestsReceived >= 3 }
            #expect(log.all.isEmpty)
            #expect(listener.backendPID == nil)
        }
    }
}
