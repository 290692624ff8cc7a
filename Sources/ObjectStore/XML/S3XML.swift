import Foundation

/// A small scanner for the flat XML documents S3 answers with (errors, listings).
///
/// It finds `<Name>…</Name>` and `<Name/>` elements without attributes and decodes the five
/// predefined entities and numeric character references. S3 sends neither CDATA nor comments
/// in these documents, and element text cannot contain a raw `<`, so scanning for tags is exact.
enum S3XML {
    /// The raw inner text of every `name` element in `xml`, in document order.
    static func elements(_ name: String, in xml: Substring) -> [Substring] {
        let open = "<\(name)>"
        let close = "</\(name)>"
        let empty = "<\(name)/>"
        var found: [Substring] = []
        var cursor = xml.startIndex
        // The next empty element is searched for again only once the cursor has passed it: searching
        // from every element to the end of the page made a list of n keys cost n² comparisons.
        var nextEmpty = xml.range(of: empty, range: cursor..<xml.endIndex)
        while cursor < xml.endIndex {
            let openRange = xml.range(of: open, range: cursor..<xml.endIndex)
            if let passed = nextEmpty, passed.lowerBound < cursor {
                nextEmpty = xml.range(of: empty, range: cursor..<xml.endIndex)
            }
            let emptyRange = nextEmpty
            if let emptyRange, openRange.map({ emptyRange.lowerBound < $0.lowerBound }) ?? true {
                found.append(xml[emptyRange.upperBound..<emptyRange.upperBound])
                cursor = emptyRange.upperBound
                continue
            }
            guard let openRange, let closeRange = xml.range(of: close, range: openRange.upperBound..<xml.endIndex)
            else { break }
            found.append(xml[openRange.upperBound..<closeRange.lowerBound])
            cursor = closeRange.upperBound
        }
        return found
    }

    /// The decoded text of the first `name` element in `xml`, or `nil` when there is none.
    static func value(_ name: String, in xml: Substring) -> String? {
        elements(name, in: xml).first.map { unescape($0) }
    }

    /// Decodes `&lt; &gt; &amp; &quot; &apos;` and `&#NN;` / `&#xHH;`; unknown entities stay as written.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            // Entities are short: look for the `;` within a few characters only.
            let limit = text.index(index, offsetBy: 12, limitedBy: text.endIndex) ?? text.endIndex
            guard character == "&", let semicolon = text[index..<limit].firstIndex(of: ";"),
                let decoded = decodeEntity(text[text.index(after: index)..<semicolon])
            else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            output.append(decoded)
            index = text.index(after: semicolon)
        }
        return output
    }

    private static func decodeEntity(_ entity: Substring) -> Character? {
        switch entity {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard entity.hasPrefix("#") else { return nil }
            let digits = entity.dropFirst()
            let scalarValue: UInt32?
            if digits.hasPrefix("x") || digits.hasPrefix("X") {
                scalarValue = UInt32(digits.dropFirst(), radix: 16)
            } else {
                scalarValue = UInt32(digits, radix: 10)
            }
            return scalarValue.flatMap(Unicode.Scalar.init).map(Character.init)
        }
    }
}
