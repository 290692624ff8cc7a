extension JSONScanner {
    /// Reads a string value as a Swift `String` (invalid UTF-8 becomes U+FFFD).
    mutating func readString() throws -> String {
        guard peek() == UInt8(ascii: "\"") else { throw wrongType("must be a string") }
        position += 1
        let start = position
        // Fast path: no escapes, the common case for names and ids.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            position += 1
        }
        position = start
        var decoded: [UInt8] = []
        try readStringContents { decoded.append(contentsOf: $0) }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Reads a string value into `writer` as one `BYTES` element: a 4-byte little-endian length, the bytes.
    mutating func readByteElement(into writer: inout ByteWriter) throws {
        guard peek() == UInt8(ascii: "\"") else { throw wrongType("must hold strings (BYTES elements)") }
        position += 1
        let lengthOffset = writer.count
        writer.appendLittleEndian(UInt32(0))
        try readStringContents { writer.append($0) }
        let length = writer.count - lengthOffset - 4
        guard let length32 = UInt32(exactly: length) else { throw malformed("a string longer than 4 GiB") }
        writer.storeLittleEndian(length32, at: lengthOffset)
    }

    /// Skips a string value.
    mutating func skipString() throws {
        position += 1
        try readStringContents { _ in }
    }

    /// Reads the rest of a string whose opening quote is consumed, passing decoded runs of bytes to `sink`,
    /// and consumes the closing quote.
    private mutating func readStringContents(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var runStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try sink(UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
                position += 1
                return
            }
            if byte < 0x20 {
                throw malformed("control character \(Self.describe(byte)) in a string must be escaped")
            }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            try sink(UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
            position += 1
            var scalarBytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            let count = try readEscape(into: &scalarBytes)
            try withUnsafeBytes(of: scalarBytes) { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            runStart = position
        }
        throw malformed("unterminated string")
    }

    /// Reads an escape after its backslash; writes its UTF-8 bytes into `out` and returns how many.
    private mutating func readEscape(into out: inout (UInt8, UInt8, UInt8, UInt8)) throws -> Int {
        guard position < bytes.count else { throw malformed("unterminated string") }
        let escape = bytes[position]
        position += 1
        let simple: UInt8
        switch escape {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            return try readUnicodeEscape(into: &out)
        default:
            position -= 1
            throw malformed("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
        }
        out.0 = simple
        return 1
    }

    private mutating func readUnicodeEscape(into out: inout (UInt8, UInt8, UInt8, UInt8)) throws -> Int {
        var value = try readHex4()
        if (0xD800..<0xDC00).contains(value) {
            guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                bytes[position + 1] == UInt8(ascii: "u")
            else { throw malformed("a high surrogate \\u escape must be followed by a low surrogate") }
            position += 2
            let low = try readHex4()
            guard (0xDC00..<0xE000).contains(low) else {
                throw malformed("a high surrogate \\u escape must be followed by a low surrogate")
            }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(value) {
            throw malformed("a low surrogate \\u escape without a high surrogate")
        }
        guard let scalar = Unicode.Scalar(value) else { throw malformed("invalid \\u escape") }
        var count = 0
        for unit in scalar.utf8 {
            switch count {
            case 0: out.0 = unit
            case 1: out.1 = unit
            case 2: out.2 = unit
            default: out.3 = unit
            }
            count += 1
        }
        return count
    }

    private mutating func readHex4() throws -> UInt32 {
        guard bytes.count - position >= 4 else { throw malformed("a \\u escape needs four hexadecimal digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
