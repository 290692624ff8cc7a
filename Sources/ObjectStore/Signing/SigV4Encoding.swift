/// Percent-encoding and canonical forms exactly as Signature Version 4 defines them.
///
/// Unreserved characters (`A-Z a-z 0-9 - . _ ~`) stay as they are; every other byte of the UTF-8
/// form becomes `%XY` with uppercase hex. A space is `%20` (never `+`), and `/` is encoded
/// everywhere except between the segments of an object path.
public enum SigV4Encoding {
    /// Encodes `text` byte by byte; `/` is kept only when `keepSlash` is true.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The canonical URI of an S3 object path: each segment encoded once, `/` kept.
    ///
    /// `path` is the raw path (e.g. `/bucket/a b/ü.json`); a missing leading `/` is added.
    /// S3 paths are not normalized: `.`/`..` segments and repeated slashes are left alone.
    public static func canonicalPath(_ path: String) -> String {
        let encoded = encode(path, keepSlash: true)
        return encoded.hasPrefix("/") ? encoded : "/" + encoded
    }

    /// The canonical query string: names and values encoded, then sorted by name, then value.
    ///
    /// Parameters without a value (e.g. `?lifecycle`) appear as `name=`.
    public static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters
            .map { (name: encode($0.name), value: encode($0.value)) }
            .sorted { lhs, rhs in
                // Byte order of the encoded forms (uppercase sorts before lowercase).
                if lhs.name != rhs.name { return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
                return lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
            }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    /// A header value in canonical form: outer whitespace trimmed, inner runs of spaces made one.
    public static func canonicalHeaderValue(_ value: String) -> String {
        var output = ""
        output.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for character in value {
            if character == " " || character == "\t" {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(" ") }
                pendingSpace = false
                output.append(character)
            }
        }
        return output
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
