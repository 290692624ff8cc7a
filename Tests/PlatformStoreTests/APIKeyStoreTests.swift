import Foundation
import PlatformStore
import PostgresClient
import Testing

@Suite("API keys on the stack's PostgreSQL", .serialized, .timeLimit(.minutes(2)))
struct APIKeyStoreTests {
    @Test("a created key looks up until revoked, then never again")
    func createLookupRevoke() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = APIKeyStore(pool: pool)
            let created = try await store.create(principal: "team-a", scopes: ["infer", "batch:write"], rateLimit: 50)
            #expect(created.key.hasPrefix("tgk_"))
            #expect(created.key.count == 47)
            #expect(created.key.hasPrefix(created.prefix))
            #expect(!"\(created)".contains(created.key))

            let found = try #require(try await store.lookup(created.key))
            #expect(found.id == created.id)
            #expect(found.principal == "team-a")
            #expect(found.scopes == ["infer", "batch:write"])
            #expect(found.rateLimit == 50)

            #expect(try await store.revoke(created.id))
            #expect(try await store.lookup(created.key) == nil)
            #expect(try await store.revoke(created.id) == false)
            #expect(try await store.lookup(created.key) == nil)
        }
    }

    @Test("unknown, altered and malformed keys find nothing")
    func rejectsUnknownKeys() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = APIKeyStore(pool: pool)
            let created = try await store.create(principal: "svc", scopes: [])
            var altered = created.key
            altered.removeLast()
            altered.append(created.key.last == "A" ? "B" : "A")
            for candidate in [altered, "", "tgk_", "not-a-key", created.key + "x", "' OR 1=1 --", created.prefix] {
                #expect(try await store.lookup(candidate) == nil)
            }
            #expect(try await store.lookup(created.key)?.scopes == [])
        }
    }

    @Test("only the SHA-256 of a key is stored, and listing shows no secret")
    func storesOnlyDigests() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = APIKeyStore(pool: pool)
            let first = try await store.create(principal: "alice", scopes: ["infer"])
            let second = try await store.create(principal: "bob", scopes: ["admin"], rateLimit: 5)
            try await store.revoke(first.id)

            let listed = try await store.list()
            #expect(Set(listed.map(\.id)) == [first.id, second.id])
            #expect(listed.first { $0.id == first.id }?.isActive == false)
            #expect(listed.first { $0.id == second.id }?.rateLimit == 5)
            let rendered = "\(listed)"
            #expect(!rendered.contains(first.key) && !rendered.contains(second.key))
            #expect(try await store.list(includeRevoked: false).map(\.id) == [second.id])
            #expect(try await store.list(principal: "alice").map(\.id) == [first.id])

            // Every stored column, read raw: no plaintext anywhere, the digest where expected.
            let rows = try await pool.query("SELECT * FROM api_keys WHERE id = $1", [.uuid(second.id)])
            let row = try #require(try rows.singleRow())
            for column in rows.columnNames where !row.isNull(column) {
                #expect(try !row.decode(column, as: String.self).contains(second.key))
            }
            #expect(try row.decode("hash", as: Data.self) == Data(SHA256Digest.hash(second.key)))
        }
    }

    @Test("key material comes from the injected random source")
    func usesInjectedRandomness() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = APIKeyStore(pool: pool, randomBytes: { count in [UInt8](repeating: 0xff, count: count) })
            let created = try await store.create(principal: "fixed", scopes: [])
            #expect(created.key == "tgk_" + String(repeating: "_", count: 42) + "8")
            // The same key again would collide on the digest's unique index.
            await #expect(throws: PostgresError.self) { try await store.create(principal: "fixed", scopes: []) }
            #expect(try await store.lookup(created.key)?.principal == "fixed")
        }
    }

    @Test("bad arguments are refused before touching the database")
    func validatesArguments() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = APIKeyStore(pool: pool)
            await #expect(throws: PlatformStoreError.self) { try await store.create(principal: "", scopes: []) }
            await #expect(throws: PlatformStoreError.self) {
                try await store.create(principal: "p", scopes: [], rateLimit: 0)
            }
            let keys = try await store.list()
            #expect(keys.isEmpty)
        }
    }
}
