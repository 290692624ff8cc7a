import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text output format.
///
/// `Optional` conforms when its wrapped type does: decode `Int?.self` to accept NULL.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value from the server's text output; `nil` when it is not valid.
    init?(postgresText text: Substring)

    /// The value standing for SQL NULL, or `nil` when the type cannot represent NULL.
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    /// Non-optional types reject NULL.
    public static var postgresNull: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: Substring) {
        guard let value = Wrapped(postgresText: text) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(.none) }
}

extension String: PostgresDecodable {
    public init?(postgresText text: Substring) { self = String(text) }
}

extension Int: PostgresDecodable {
    public init?(postgresText text: Substring) { self.init(text) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: Substring) { self.init(text) }
}

extension Int32: PostgresDecodable {
    public init?(postgresText text: Substring) { self.init(text) }
}

extension Double: PostgresDecodable {
    public init?(postgresText text: Substring) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(text)
        }
    }
}

extension Bool: PostgresDecodable {
    public init?(postgresText text: Substring) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresDecodable {
    public init?(postgresText text: Substring) { self.init(uuidString: String(text)) }
}

extension Date: PostgresDecodable {
    public init?(postgresText text: Substring) {
        guard let date = PostgresTimestamp.parse(text) else { return nil }
        self = date
    }
}

extension Data: PostgresDecodable {
    /// Decodes `bytea` in the hex output format (`\x0a1b…`), which every connection selects.
    public init?(postgresText text: Substring) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0
        else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Decodes a one-dimensional array (`text[]`, `int[]`, …); a NULL element decodes only
    /// when `Element` is optional.
    public init?(postgresText text: Substring) {
        guard let elements = PostgresArrayLiteral.parse(text) else { return nil }
        var values: [Element] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            if let element {
                guard let value = Element(postgresText: element[...]) else { return nil }
                values.append(value)
            } else {
                guard let null = Element.postgresNull else { return nil }
                values.append(null)
            }
        }
        self = values
    }
}
