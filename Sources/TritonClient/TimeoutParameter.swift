import Foundation

/// Puts Triton's `timeout` request parameter (microseconds) into a KServe v2 infer body without
/// decoding its tensors: only the JSON header's top-level keys are scanned.
///
/// A body whose top-level `parameters` already has a `timeout` keeps the client's value; a body
/// that is not a JSON object is returned unchanged (Triton will reject it on its own terms).
public enum TimeoutParameter {
    /// The body (and binary header length) with `parameters.timeout` set to `microseconds`.
    ///
    /// A `headerLength` outside `0...body.count` leaves the body unchanged (callers refuse such a
    /// length with ``InferenceHeaderLength`` first; this only keeps a bad one from crashing here).
    public static func inject(into body: Data, headerLength: Int?, microseconds: Int64) -> (Data, Int?) {
        if let headerLength, headerLength < 0 || headerLength > body.count { return (body, headerLength) }
        let bytes = [UInt8](body.prefix(headerLength ?? body.count))
        guard let open = bytes.firstIndex(where: { !isSpace($0) }), bytes[open] == UInt8(ascii: "{") else {
            return (body, headerLength)
        }
        let insertion: (at: Int, text: String)
        if let parameters = topLevelValue(of: "parameters", in: bytes, objectStart: open) {
            guard bytes[parameters] == UInt8(ascii: "{") else { return (body, headerLength) }
            if topLevelValue(of: "timeout", in: bytes, objectStart: parameters) != nil { return (body, headerLength) }
            let isEmpty = bytes[(parameters + 1)...].first(where: { !isSpace($0) }) == UInt8(ascii: "}")
            insertion = (parameters + 1, "\"timeout\":\(microseconds)" + (isEmpty ? "" : ","))
        } else {
            let isEmpty = bytes[(open + 1)...].first(where: { !isSpace($0) }) == UInt8(ascii: "}")
            insertion = (open + 1, "\"parameters\":{\"timeout\":\(microseconds)}" + (isEmpty ? "" : ","))
        }
        var result = Data(capacity: body.count + insertion.text.utf8.count)
        result.append(contentsOf: bytes[..<insertion.at])
        result.append(contentsOf: Array(insertion.text.utf8))
        result.append(body.dropFirst(insertion.at))
        return (result, headerLength.map { $0 + insertion.text.utf8.count })
    }

    /// The index where the value of `key` starts among the members of the object at `objectStart`.
    static func topLevelValue(of key: String, in bytes: [UInt8], objectStart: Int) -> Int? {
        let wanted = Array(key.utf8)
        var index = objectStart + 1
        var depth = 0
        var expectingKey = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index + 1
                index = endOfString(bytes, from: start)
                guard index < bytes.count else { return nil }
                if depth == 0 && expectingKey {
                    let name = bytes[start..<index]
                    var next = index + 1
                    while next < bytes.count && (isSpace(bytes[next]) || bytes[next] == UInt8(ascii: ":")) { next += 1 }
                    if name.elementsEqual(wanted) { return next < bytes.count ? next : nil }
                    expectingKey = false
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return nil }
                depth -= 1
            case UInt8(ascii: ","): if depth == 0 { expectingKey = true }
            default: break
            }
            index += 1
        }
        return nil
    }

    /// The index of the closing quote of a string whose content starts at `start`.
    private static func endOfString(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index }
            index += 1
        }
        return index
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
