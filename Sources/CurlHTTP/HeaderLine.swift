/// One raw response header line as libcurl hands it over, parsed on its bytes.
///
/// Header bytes are ISO-8859-1 (RFC 9110): each byte becomes the Unicode scalar of the same
/// value, so no line is ever rejected for its encoding.
enum HeaderLine: Equatable {
    /// `HTTP/1.1 200 OK`: a response starts (again, after an interim one).
    case statusLine
    /// `Name: value`, with the spaces, tabs and line ending around both parts removed.
    case field(name: String, value: String)

    /// Parses `bytes`; `nil` for the blank line that ends the headers and for lines without a colon.
    init?(_ bytes: UnsafeRawBufferPointer) {
        if bytes.starts(with: Self.httpPrefix) {
            self = .statusLine
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let name = Self.trimmed(bytes[..<colon])
        let value = Self.trimmed(bytes[(colon + 1)...])
        self = .field(name: Self.latin1(name), value: Self.latin1(value))
    }

    private static let httpPrefix = Array("HTTP/".utf8)

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var part = bytes
        while let first = part.first, isSpace(first) { part = part.dropFirst() }
        while let last = part.last, isSpace(last) { part = part.dropLast() }
        return part
    }

    private static func latin1(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(Unicode.Scalar(byte)) }
        return String(text)
    }
}
