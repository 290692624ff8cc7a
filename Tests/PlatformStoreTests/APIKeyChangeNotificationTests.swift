import Foundation
import PlatformStore
import PostgresClient
import Synchronization
import TestSupport
import Testing

/// The `api_keys` trigger of migration 5: which changes are announced on the key-change channel.
///
/// Every test schema (and the services' own) announces on the same channel, so each test looks
/// only for its own keys' digests; notifications from one session arrive in commit order, which
/// lets a test show that a change was not announced.
@Suite(
    "API key change notifications", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: StackEnvironment.current.values["POSTGRES_URL"] != nil, "POSTGRES_URL not set: run `make up` first"))
struct APIKeyChangeNotificationTests {
    final class Payloads: Sendable {
        private let values = Mutex<[String]>([])
        let listening = Atomic<Bool>(false)

        func handle(_ event: PostgresListener.Event) {
            switch event {
            case .notification(_, let payload): values.withLock { $0.append(payload) }
            case .resynchronise: listening.store(true, ordering: .releasing)
            case .connectionLost: break
            }
        }

        /// The payloads received so far that are in `wanted`, in order.
        func received(of wanted: Set<String>) -> [String] { values.withLock { $0.filter(wanted.contains) } }
    }

    /// Runs `body` with a test schema's store and a listener on the key-change channel that is
    /// already listening; the listener stops when `body` returns.
    static func withListeningStore(
        _ body: (PostgresPool, APIKeyStore, Payloads) async throws -> Void
    ) async throws {
        try await StoreTestDatabase.withStore { pool in
            let payloads = Payloads()
            let listener = PostgresListener(
                configuration: .init(
                    connection: .init(connectionString: try StackEnvironment.current.require("POSTGRES_URL")),
                    channel: PlatformMigrations.apiKeyChangesChannel))
            let run = Task { await listener.run { payloads.handle($0) } }
            do {
                try await eventually("the listener listens") { payloads.listening.load(ordering: .acquiring) }
                try await body(pool, APIKeyStore(pool: pool), payloads)
            } catch {
                run.cancel()
                await run.value
                throw error
            }
            run.cancel()
            await run.value
        }
    }

    /// The notification payload for `key`: its SHA-256 digest in lowercase hexadecimal.
    static func payload(_ key: NewAPIKey) -> String {
        SHA256Digest.hash(key.key).map { String(format: "%02x", $0) }.joined()
    }

    @Test("revoking, changing scopes or rate limit and deleting a key announce its digest; other changes do not")
    func announcedChanges() async throws {
        try await Self.withListeningStore { pool, store, payloads in

            let revoked = try await store.create(principal: "notify-a", scopes: ["infer"])
            let rescoped = try await store.create(principal: "notify-b", scopes: ["infer"])
            let deleted = try await store.create(principal: "notify-c", scopes: ["infer"])
            let untouched = try await store.create(principal: "notify-d", scopes: ["infer"])
            let wanted = Set([revoked, rescoped, deleted, untouched].map(Self.payload))

            #expect(try await store.revoke(revoked.id))
            #expect(try await store.revoke(revoked.id) == false, "a second revocation changes nothing")
            try await pool.query("UPDATE api_keys SET prefix = 'tgk_zzzzzzzz' WHERE id = $1", [.uuid(untouched.id)])
            try await pool.query("UPDATE api_keys SET scopes = '{infer,batch}' WHERE id = $1", [.uuid(rescoped.id)])
            try await pool.query("UPDATE api_keys SET rate_limit = 5 WHERE id = $1", [.uuid(rescoped.id)])
            try await pool.query("DELETE FROM api_keys WHERE id = $1", [.uuid(deleted.id)])

            let expected = [
                Self.payload(revoked), Self.payload(rescoped), Self.payload(rescoped), Self.payload(deleted),
            ]
            try await eventually("the deletion is announced") { payloads.received(of: wanted).count >= 4 }
            #expect(payloads.received(of: wanted) == expected)
        }
    }

    @Test("a change rolled back is not announced")
    func rolledBack() async throws {
        try await Self.withListeningStore { pool, store, payloads in

            let kept = try await store.create(principal: "notify-e", scopes: ["infer"])
            let later = try await store.create(principal: "notify-f", scopes: ["infer"])
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await pool.withTransaction { connection in
                    try await connection.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [.uuid(kept.id)])
                    throw Abort()
                }
            }
            #expect(try await store.revoke(later.id))
            let wanted = Set([kept, later].map(Self.payload))
            try await eventually("the later revocation is announced") { !payloads.received(of: wanted).isEmpty }
            #expect(payloads.received(of: wanted) == [Self.payload(later)])
        }
    }
}
