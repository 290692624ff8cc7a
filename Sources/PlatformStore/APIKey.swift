import Foundation
import PostgresClient

/// A key just created: the only time its plaintext exists outside the client that holds it.
///
/// Its ``description`` shows the display prefix, never the key.
public struct NewAPIKey: Sendable, CustomStringConvertible {
    /// The key's id, for listing and revoking.
    public let id: UUID
    /// The secret to hand to the client, once (`tgk_` followed by 43 base64url characters).
    public let key: String
    /// The first characters of the key, stored for display.
    public let prefix: String

    public var description: String { "NewAPIKey(id: \(id), prefix: \(prefix)…)" }

    /// How every key of this platform starts (`tgk_`); a bearer token with it is a key, not a JWT.
    public static var marker: String { APIKeyFormat.marker }
}

/// Who a valid key belongs to and what it may do.
public struct APIKeyPrincipal: Sendable, Hashable {
    /// The key's id.
    public let id: UUID
    /// The principal (user or service) the key acts as.
    public let principal: String
    /// The scopes granted, e.g. `infer`, `batch:write`.
    public let scopes: [String]
    /// The key's own rate limit in requests per second, or `nil` for the default.
    public let rateLimit: Int?

    /// Creates a principal record (as a lookup returns it).
    public init(id: UUID, principal: String, scopes: [String], rateLimit: Int?) {
        self.id = id
        self.principal = principal
        self.scopes = scopes
        self.rateLimit = rateLimit
    }
}

/// A stored key as listed for operators: everything but the secret and its digest.
public struct APIKeyInfo: Sendable, Hashable {
    /// The key's id.
    public let id: UUID
    /// The first characters of the key, to recognise it.
    public let prefix: String
    /// The principal the key acts as.
    public let principal: String
    /// The scopes granted.
    public let scopes: [String]
    /// The key's own rate limit, or `nil` for the default.
    public let rateLimit: Int?
    /// When the key was created.
    public let createdAt: Date
    /// When the key was revoked, or `nil` while it works.
    public let revokedAt: Date?

    /// True when the key still authenticates.
    public var isActive: Bool { revokedAt == nil }

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        prefix = try row.decode("prefix")
        principal = try row.decode("principal")
        scopes = try row.decode("scopes")
        rateLimit = try row.decode("rate_limit")
        createdAt = try row.decode("created_at")
        revokedAt = try row.decode("revoked_at")
    }
}

/// The text form of API keys: a recognisable prefix and 32 random bytes in base64url.
enum APIKeyFormat {
    /// Marks the string as a key of this platform (also for secret scanners).
    static let marker = "tgk_"
    /// Random bytes per key: 256 bits.
    static let randomByteCount = 32
    /// The length of a key: the marker and 43 base64url characters.
    static let length = marker.count + 43
    /// Characters kept for display: the marker and 8 more, too few to help guess the rest.
    static let prefixLength = marker.count + 8

    static func encode(_ bytes: [UInt8]) -> String {
        let base64 = Data(bytes).base64EncodedString()
        var text = marker
        for character in base64 {
            switch character {
            case "+": text.append("-")
            case "/": text.append("_")
            case "=": continue
            default: text.append(character)
            }
        }
        return text
    }

    /// True when `text` has the shape of a key; anything else is rejected without a lookup.
    static func isWellFormed(_ text: String) -> Bool {
        guard text.utf8.count == length, text.hasPrefix(marker) else { return false }
        return text.utf8.dropFirst(marker.utf8.count).allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_")
        }
    }
}
