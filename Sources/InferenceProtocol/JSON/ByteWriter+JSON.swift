extension ByteWriter {
    /// Writes `string` as a JSON string literal.
    mutating func writeJSONString(_ string: String) {
        var string = string
        string.withUTF8 { writeJSONString(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Writes UTF-8 `bytes` as a JSON string literal, escaping quotes, backslashes and control characters.
    /// The bytes must be valid UTF-8 (`isValidUTF8`); they are copied unchanged otherwise.
    mutating func writeJSONString(bytes: UnsafeRawBufferPointer) {
        append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            switch byte {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            default:
                append("\\u00")
                append(Self.hexDigits[Int(byte >> 4)])
                append(Self.hexDigits[Int(byte & 0xF)])
            }
            runStart = index + 1
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes `"key":`.
    mutating func writeJSONKey(_ key: StaticString) {
        append(UInt8(ascii: "\""))
        append(key)
        append("\":")
    }

    /// Writes an integer in decimal.
    @inline(__always)
    mutating func writeJSONInteger(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            writeJSONInteger(magnitude: value.magnitude)
        } else {
            writeJSONInteger(magnitude: UInt64(value))
        }
    }

    /// Writes an unsigned integer in decimal.
    @inline(__always)
    mutating func writeJSONInteger(magnitude value: UInt64) {
        appendWithin(maximum: 20) { out in
            var digits = 1
            var rest = value / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            var remaining = value
            var index = digits
            repeat {
                index -= 1
                out.storeBytes(
                    of: UInt8(truncatingIfNeeded: remaining % 10) + 0x30, toByteOffset: index, as: UInt8.self)
                remaining /= 10
            } while remaining > 0
            return digits
        }
    }

    /// Writes the shortest decimal that reads back as `value`; throws for NaN and infinities, which JSON
    /// cannot express.
    mutating func writeJSONNumber<Value: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: Value, label: @autoclosure () -> String
    ) throws {
        guard value.isFinite else {
            throw InferenceProtocolError(
                .notRepresentableInJSON,
                "\(label()) contains \(value), which JSON cannot express; send it as binary data")
        }
        append(utf8: value.description)
    }

    /// Writes a `parameters` object, keys sorted so equal parameters give equal bytes; `extra` entries
    /// (e.g. `binary_data_size`) replace same-named ones.
    mutating func writeJSONParameters(_ parameters: InferParameters, extra: InferParameters = [:]) throws {
        var merged = parameters
        merged.merge(extra) { _, new in new }
        append(UInt8(ascii: "{"))
        for (position, key) in merged.keys.sorted().enumerated() {
            if position > 0 { append(UInt8(ascii: ",")) }
            writeJSONString(key)
            append(UInt8(ascii: ":"))
            switch merged[key]! {
            case .bool(let value): append(value ? "true" : "false")
            case .int(let value): writeJSONInteger(value)
            case .double(let value): try writeJSONNumber(value, label: "parameter '\(key)'")
            case .string(let value): writeJSONString(value)
            }
        }
        append(UInt8(ascii: "}"))
    }

    /// Writes `[2,3]`.
    mutating func writeJSONShape(_ shape: [Int64]) {
        append(UInt8(ascii: "["))
        for (position, dimension) in shape.enumerated() {
            if position > 0 { append(UInt8(ascii: ",")) }
            writeJSONInteger(dimension)
        }
        append(UInt8(ascii: "]"))
    }
}

/// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values beyond U+10FFFF).
func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var index = 0
    let count = bytes.count
    while index < count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let continuationCount: Int
        var scalar: UInt32
        let minimum: UInt32
        switch lead {
        case 0xC0...0xDF: (continuationCount, scalar, minimum) = (1, UInt32(lead & 0x1F), 0x80)
        case 0xE0...0xEF: (continuationCount, scalar, minimum) = (2, UInt32(lead & 0x0F), 0x800)
        case 0xF0...0xF7: (continuationCount, scalar, minimum) = (3, UInt32(lead & 0x07), 0x10000)
        default: return false
        }
        guard count - index > continuationCount else { return false }
        for offset in 1...continuationCount {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { return false }
            scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
        index += continuationCount + 1
    }
    return true
}
