import Foundation
import PostgresClient

/// API keys in PostgreSQL (`api_keys`). Only each key's SHA-256 digest is stored; the plaintext
/// is returned once by ``create(principal:scopes:rateLimit:)`` and never again.
public struct APIKeyStore: Sendable {
    /// Produces `count` cryptographically secure random bytes.
    public typealias RandomBytes = @Sendable (_ count: Int) -> [UInt8]

    private let pool: PostgresPool
    private let randomBytes: RandomBytes

    /// Creates a store over `pool`; the schema must come from ``PlatformMigrations``.
    ///
    /// - Parameter randomBytes: the source of key material; the default is the system's secure
    ///   generator. Tests may inject a seeded one.
    public init(pool: PostgresPool, randomBytes: @escaping RandomBytes = APIKeyStore.systemRandomBytes) {
        self.pool = pool
        self.randomBytes = randomBytes
    }

    /// Random bytes from `SystemRandomNumberGenerator` (the kernel's CSPRNG: `getrandom` on Linux).
    public static let systemRandomBytes: RandomBytes = { count in
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Creates a key for `principal` and returns its plaintext, which cannot be recovered later.
    ///
    /// - Parameter rateLimit: requests per second for this key, or `nil` for the default.
    public func create(principal: String, scopes: [String], rateLimit: Int? = nil) async throws -> NewAPIKey {
        guard !principal.isEmpty else { throw PlatformStoreError.invalidArgument("the principal must not be empty") }
        if let rateLimit, rateLimit <= 0 {
            throw PlatformStoreError.invalidArgument("the rate limit must be positive")
        }
        let bytes = randomBytes(APIKeyFormat.randomByteCount)
        guard bytes.count == APIKeyFormat.randomByteCount else {
            throw PlatformStoreError.invalidArgument("the random source returned too few bytes")
        }
        let key = APIKeyFormat.encode(bytes)
        let prefix = String(key.prefix(APIKeyFormat.prefixLength))
        let id = UUID()
        try await pool.query(
            """
            INSERT INTO api_keys (id, hash, prefix, principal, scopes, rate_limit)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                .uuid(id), .bytes(Data(SHA256Digest.hash(key))), .text(prefix), .text(principal),
                .textArray(scopes), rateLimit.map { .int(Int64($0)) },
            ])
        return NewAPIKey(id: id, key: key, prefix: prefix)
    }

    /// True when `key` has the shape of a key of this platform (`tgk_` and 43 base64url
    /// characters); ``lookup(_:)`` answers nil for anything else without a query.
    public static func isWellFormed(_ key: String) -> Bool {
        APIKeyFormat.isWellFormed(key)
    }

    /// The principal of a valid, unrevoked key, or `nil` for anything else.
    ///
    /// The key is hashed and the digest looked up through the unique index; the plaintext is
    /// never compared, so no constant-time comparison is needed: lookup timing can at most reveal
    /// something about the digest of the caller's own guess, and finding a key from digests would
    /// need a SHA-256 preimage of 256 random bits.
    public func lookup(_ key: String) async throws -> APIKeyPrincipal? {
        guard APIKeyFormat.isWellFormed(key) else { return nil }
        let rows = try await pool.query(
            """
            SELECT id, principal, scopes, rate_limit FROM api_keys
            WHERE hash = $1 AND revoked_at IS NULL
            """,
            [.bytes(Data(SHA256Digest.hash(key)))])
        guard let row = try rows.singleRow() else { return nil }
        return APIKeyPrincipal(
            id: try row.decode("id"), principal: try row.decode("principal"), scopes: try row.decode("scopes"),
            rateLimit: try row.decode("rate_limit"))
    }

    /// Every key, newest first, without secrets or digests; `principal` narrows it to one owner.
    public func list(principal: String? = nil, includeRevoked: Bool = true) async throws -> [APIKeyInfo] {
        let rows = try await pool.query(
            """
            SELECT id, prefix, principal, scopes, rate_limit, created_at, revoked_at FROM api_keys
            WHERE ($1::text IS NULL OR principal = $1) AND ($2 OR revoked_at IS NULL)
            ORDER BY created_at DESC, id
            """,
            [principal.map(PostgresValue.text), .bool(includeRevoked)])
        return try rows.map(APIKeyInfo.init(row:))
    }

    /// Revokes a key for good; returns false when it was already revoked or does not exist.
    ///
    /// The revocation is announced on ``PlatformMigrations/apiKeyChangesChannel`` when it commits,
    /// so listening gateways refuse the key at once rather than when their cache entry expires.
    @discardableResult
    public func revoke(_ id: UUID) async throws -> Bool {
        let rows = try await pool.query(
            "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [.uuid(id)])
        return rows.rowsAffected == 1
    }
}
