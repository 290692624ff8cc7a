import Foundation

/// A value bound to a `$n` parameter of a query. It travels separately from the SQL text, so no
/// value can ever change the meaning of a statement.
///
/// Pass `nil` (an absent `PostgresValue?`) for SQL NULL. Literals convert: `"text"`, `42`, `1.5`
/// and `true` are accepted wherever a `PostgresValue` is expected.
public enum PostgresValue: Sendable, Hashable {
    /// `text`.
    case text(String)
    /// `bigint` (also accepted by `integer` and `smallint` columns when in range).
    case int(Int64)
    /// `double precision`.
    case double(Double)
    /// `boolean`.
    case bool(Bool)
    /// `bytea`.
    case bytes(Data)
    /// `uuid`.
    case uuid(UUID)
    /// `timestamptz`, sent in UTC with microsecond precision.
    case timestamp(Date)
    /// `text[]`; elements may be NULL.
    case textArray([String?])

    /// The type OID announced to the server, so parameters are typed without casts in the SQL.
    var typeOID: UInt32 {
        switch self {
        case .text: 25
        case .int: 20
        case .double: 701
        case .bool: 16
        case .bytes: 17
        case .uuid: 2950
        case .timestamp: 1184
        case .textArray: 1009
        }
    }

    /// The value in PostgreSQL's text input format.
    var textEncoding: String {
        switch self {
        case .text(let string):
            return string
        case .int(let value):
            return String(value)
        case .double(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
            return "\(value)"
        case .bool(let value):
            return value ? "t" : "f"
        case .bytes(let data):
            return Self.hexBytea(data)
        case .uuid(let uuid):
            return uuid.uuidString
        case .timestamp(let date):
            return PostgresTimestamp.format(date)
        case .textArray(let elements):
            return PostgresArrayLiteral.format(elements)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func hexBytea(_ data: Data) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        bytes.reserveCapacity(2 + data.count * 2)
        for byte in data {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension PostgresValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

extension PostgresValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension PostgresValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension PostgresValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
