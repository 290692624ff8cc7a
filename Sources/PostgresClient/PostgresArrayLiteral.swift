/// Converts between `[String?]` and PostgreSQL's text form of a one-dimensional array
/// (`{a,"b c",NULL,"say \"hi\""}`).
enum PostgresArrayLiteral {
    /// Formats `elements` with every element quoted, so no content needs special-casing.
    static func format(_ elements: [String?]) -> String {
        var text = "{"
        text.reserveCapacity(2 + elements.reduce(0) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            guard let element else {
                text += "NULL"
                continue
            }
            text += "\""
            if element.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                for character in element {
                    if character == "\"" || character == "\\" { text += "\\" }
                    text.append(character)
                }
            } else {
                text += element
            }
            text += "\""
        }
        return text + "}"
    }

    /// Parses a one-dimensional array literal; `nil` when `text` is not one.
    static func parse(_ text: Substring) -> [String?]? {
        var bytes = Array(text.utf8)[...]
        // A lower bound other than 1 is sent as a `[0:2]=` decoration before the braces.
        if bytes.first == UInt8(ascii: "["), let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
            bytes = bytes[(equals + 1)...]
        }
        guard bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        bytes = bytes.dropFirst().dropLast()
        if bytes.isEmpty { return [] }

        var elements: [String?] = []
        var current: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var escaped = false
        for byte in bytes {
            if escaped {
                current.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                quoted.toggle()
                wasQuoted = true
            } else if byte == UInt8(ascii: "{") && !quoted {
                return nil  // Multi-dimensional arrays are not supported.
            } else if byte == UInt8(ascii: ",") && !quoted {
                elements.append(element(current, wasQuoted: wasQuoted))
                current = []
                wasQuoted = false
            } else {
                current.append(byte)
            }
        }
        guard !quoted, !escaped else { return nil }
        elements.append(element(current, wasQuoted: wasQuoted))
        return elements
    }

    private static func element(_ bytes: [UInt8], wasQuoted: Bool) -> String? {
        let string = String(decoding: bytes, as: UTF8.self)
        if !wasQuoted && string.uppercased() == "NULL" { return nil }
        return string
    }
}
