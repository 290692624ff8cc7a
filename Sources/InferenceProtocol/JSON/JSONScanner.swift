#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A strict JSON reader over bytes, for the fields of KServe v2 messages.
///
/// The message readers drive it field by field, so nothing is boxed: strings become `String`s, numbers
/// are converted straight to the type a field needs, and tensor data goes straight into its binary
/// layout. Errors carry the byte offset and `path`, the field being read (e.g. `inputs[0].shape`).
struct JSONScanner {
    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 64

    let bytes: UnsafeRawBufferPointer
    /// The offset of the next unread byte.
    var position: Int
    /// The field being read, for error messages.
    var path = ""

    /// A reader of `bytes` from `position`.
    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    // MARK: Errors

    /// A malformed-JSON error at the current position.
    func malformed(_ reason: String) -> InferenceProtocolError {
        .malformedJSON(reason, at: position, in: path)
    }

    /// The error for a byte other than the one expected.
    func unexpected(expecting: String) -> InferenceProtocolError {
        guard position < bytes.count else { return malformed("unexpected end of input, expected \(expecting)") }
        return malformed("expected \(expecting), found \(Self.describe(bytes[position]))")
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    // MARK: Structure

    /// Skips spaces, tabs, carriage returns and line feeds.
    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace, without consuming it; nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    /// Consumes `byte` (after whitespace) or throws, describing it as `what`.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard peek() == byte else { throw unexpected(expecting: what) }
        position += 1
    }

    /// Consumes `byte` (after whitespace) if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Throws unless only whitespace remains.
    func expectEnd() throws {
        var copy = self
        if copy.peek() != nil { throw copy.malformed("unexpected data after the JSON value") }
    }

    /// Consumes `{`; throws `invalidField` naming `path` if the value is not an object.
    mutating func beginObject() throws {
        guard peek() == UInt8(ascii: "{") else { throw wrongType("must be an object") }
        position += 1
    }

    /// The next key of an object (its `:` consumed), or nil after consuming the closing `}`.
    /// `first` must start true for each object.
    mutating func nextKey(first: inout Bool) throws -> String? {
        if consume(UInt8(ascii: "}")) { return nil }
        if !first { try expect(UInt8(ascii: ","), "',' or '}'") }
        first = false
        guard peek() == UInt8(ascii: "\"") else { throw unexpected(expecting: "a string key") }
        let key = try readString()
        try expect(UInt8(ascii: ":"), "':' after an object key")
        return key
    }

    /// Consumes `[`; throws `invalidField` naming `path` if the value is not an array.
    mutating func beginArray() throws {
        guard peek() == UInt8(ascii: "[") else { throw wrongType("must be an array") }
        position += 1
    }

    /// Whether another element follows (its preceding `,` consumed); false after consuming the closing `]`.
    /// `first` must start true for each array.
    mutating func nextElement(first: inout Bool) throws -> Bool {
        if first {
            first = false
            return !consume(UInt8(ascii: "]"))
        }
        if consume(UInt8(ascii: "]")) { return false }
        try expect(UInt8(ascii: ","), "',' or ']'")
        return true
    }

    /// An `invalidField` error for the current path when a value of the wrong kind is next; a malformed-JSON
    /// error when no value is next at all (end of input, `]`, `,`, …).
    func wrongType(_ requirement: String) -> InferenceProtocolError {
        guard position < bytes.count else { return malformed("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "t"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .invalidField(path, requirement, at: position)
        default:
            return unexpected(expecting: "a value")
        }
    }

    // MARK: Literals

    /// Reads `true` or `false`.
    mutating func readBool() throws -> Bool {
        switch peek() ?? 0 {
        case UInt8(ascii: "t"):
            try readLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try readLiteral("false")
            return false
        default:
            throw wrongType("must be true or false")
        }
    }

    /// Consumes the keyword `literal` (`true`, `false`, `null`).
    mutating func readLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count,
            memcmp(bytes.baseAddress! + position, literal.utf8Start, count) == 0
        else { throw unexpected(expecting: "'\(literal)'") }
        position += count
    }

    // MARK: Skipping

    /// Skips one value of any kind, checking its syntax.
    mutating func skipValue(depth: Int = 0) throws {
        guard depth < Self.maximumDepth else { throw malformed("nesting deeper than \(Self.maximumDepth) levels") }
        switch peek() ?? 0 {
        case UInt8(ascii: "{"):
            position += 1
            var first = true
            while try nextKey(first: &first) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            position += 1
            var first = true
            while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try readLiteral("true")
        case UInt8(ascii: "f"): try readLiteral("false")
        case UInt8(ascii: "n"): try readLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try readNumber()
        default:
            throw unexpected(expecting: "a value")
        }
    }
}
