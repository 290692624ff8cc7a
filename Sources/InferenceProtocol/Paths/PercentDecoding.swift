/// Percent-decoding of one URL path segment, on bytes.
///
/// The same rule Foundation's `removingPercentEncoding` applies, without its string bridging
/// (a profile of the router put that at 4% of its CPU): every `%XX` becomes the byte `XX`; a `%`
/// not followed by two hexadecimal digits, or bytes that are not UTF-8 once decoded, make the
/// segment invalid (nil). A segment without `%` is returned as it is.
public enum PercentDecoding {
    /// The decoded segment; nil when it has a malformed escape or decodes to invalid UTF-8.
    public static func decode(_ segment: Substring) -> String? {
        let bytes = segment.utf8
        guard bytes.contains(UInt8(ascii: "%")) else { return String(segment) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard index != bytes.endIndex, let high = hexValue(bytes[index]) else { return nil }
            index = bytes.index(after: index)
            guard index != bytes.endIndex, let low = hexValue(bytes[index]) else { return nil }
            index = bytes.index(after: index)
            decoded.append(high << 4 | low)
        }
        return String(validating: decoded, as: UTF8.self)
    }

    /// The decoded string; nil as for a segment.
    public static func decode(_ text: String) -> String? {
        decode(text[...])
    }

    /// The value of one hexadecimal digit (either case); nil for any other byte.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
