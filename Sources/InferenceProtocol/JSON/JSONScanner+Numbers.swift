/// A JSON number token, split into the parts conversions need: value = ±mantissa × 10^exponent.
struct JSONNumber {
    /// Whether the token starts with `-`.
    var negative = false
    /// The first (up to) 19 significant digits.
    var mantissa: UInt64 = 0
    /// The power of ten the mantissa is scaled by.
    var exponent = 0
    /// Whether non-zero digits beyond the 19th were dropped (the mantissa is then inexact).
    var truncated = false
    /// Whether the token has neither a fraction nor an exponent.
    var isInteger = true
    /// Where the token is in the input, for the slow conversion path.
    var range: Range<Int> = 0..<0
}

extension JSONScanner {
    /// Reads a number token (strict JSON grammar: no leading zeros, no `+`, no bare `.`).
    mutating func readNumber() throws -> JSONNumber {
        skipWhitespace()
        let start = position
        var number = JSONNumber()
        // Work on locals: this is the innermost loop of decoding large float tensors.
        let end = bytes.count
        var index = position
        defer { position = index }
        @inline(__always) func digit(at index: Int) -> UInt8? {
            index < end ? Self.digit(bytes[index]) : nil
        }
        if index < end && bytes[index] == UInt8(ascii: "-") {
            number.negative = true
            index += 1
        }
        guard let first = digit(at: index) else {
            index = start
            throw wrongType("must be a number")
        }
        var mantissa: UInt64 = 0
        var exponent = 0
        var significantDigits = 0
        if first == 0 {
            index += 1
            if digit(at: index) != nil {
                position = index
                throw malformed("a number must not have leading zeros")
            }
        } else {
            while significantDigits < 19, let digit = digit(at: index) {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                significantDigits &+= 1
                index &+= 1
            }
            while let digit = digit(at: index) {  // Beyond 19 digits: only the magnitude counts.
                exponent += 1
                if digit != 0 { number.truncated = true }
                index &+= 1
            }
        }
        if index < end && bytes[index] == UInt8(ascii: ".") {
            number.isInteger = false
            index += 1
            guard digit(at: index) != nil else {
                position = index
                throw malformed("a number needs digits after its decimal point")
            }
            if mantissa == 0 {
                while index < end && bytes[index] == UInt8(ascii: "0") {  // 0.000…: zeros only scale.
                    exponent -= 1
                    index &+= 1
                }
            }
            let fractionStart = index
            while significantDigits < 19, let digit = digit(at: index) {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                significantDigits &+= 1
                index &+= 1
            }
            exponent -= index - fractionStart
            while let digit = digit(at: index) {
                if digit != 0 { number.truncated = true }
                index &+= 1
            }
        }
        if index < end && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            number.isInteger = false
            index += 1
            var exponentNegative = false
            if index < end && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard digit(at: index) != nil else {
                position = index
                throw malformed("a number needs digits in its exponent")
            }
            var written = 0
            while let digit = digit(at: index) {
                if written < 1_000_000 { written = written * 10 + Int(digit) }
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        number.mantissa = mantissa
        number.exponent = exponent
        number.range = start..<index
        return number
    }

    /// Reads an integer token: its sign and magnitude, nil when the magnitude exceeds `UInt64.max`.
    /// Throws for fractions and exponents.
    mutating func readInteger() throws -> (negative: Bool, magnitude: UInt64?) {
        skipWhitespace()
        let start = position
        var negative = false
        if position < bytes.count && bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < bytes.count, let first = Self.digit(bytes[position]) else {
            position = start
            throw wrongType("must be an integer")
        }
        var magnitude: UInt64? = UInt64(first)
        position += 1
        if first == 0, position < bytes.count, Self.digit(bytes[position]) != nil {
            throw malformed("a number must not have leading zeros")
        }
        while position < bytes.count, let digit = Self.digit(bytes[position]) {
            if let current = magnitude {
                let (times10, overflow1) = current.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                magnitude = overflow1 || overflow2 ? nil : sum
            }
            position += 1
        }
        if position < bytes.count,
            bytes[position] == UInt8(ascii: ".") || (bytes[position] | 0x20) == UInt8(ascii: "e")
        {
            position = start
            throw wrongType("must be an integer, not a fraction or an exponent form")
        }
        return (negative, magnitude)
    }

    /// Reads an integer that fits in `Int64`.
    mutating func readInt64() throws -> Int64 {
        let start = position
        let (negative, parsed) = try readInteger()
        guard let magnitude = parsed else {
            position = start
            throw wrongType("is outside the 64-bit integer range")
        }
        if negative {
            if magnitude <= UInt64(Int64.max) { return -Int64(magnitude) }
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
        } else if magnitude <= UInt64(Int64.max) {
            return Int64(magnitude)
        }
        position = start
        throw wrongType("is outside the 64-bit integer range")
    }

    /// The text of a token, for messages and the slow conversion path.
    func text(of range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    @inline(__always)
    static func digit(_ byte: UInt8) -> UInt8? {
        let value = byte &- UInt8(ascii: "0")
        return value < 10 ? value : nil
    }
}

extension JSONNumber {
    /// 10^exponent for 0...22, the powers of ten a `Double` holds exactly.
    @inline(__always)
    private static func powerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// The nearest `Double` and, when known cheaply, the sign of (exact value − result): 0 when exact.
    ///
    /// Uses Clinger's fast path (an exact mantissa and an exact power of ten, one rounding, the rounding
    /// error recovered with a fused multiply-add); other tokens go through the standard library's
    /// correctly rounded parser and report an unknown error sign (nil).
    @inline(__always)
    func doubleValue(in scanner: JSONScanner) -> (value: Double, errorSign: Int?) {
        if mantissa == 0 { return (negative ? -0.0 : 0.0, 0) }
        var result: (Double, Int?)
        if !truncated && mantissa <= 1 << 53, let fast = fastPath() {
            result = fast
        } else {
            let parsed = Double(scanner.text(of: range)) ?? .nan
            return (parsed, nil)
        }
        if negative { result = (-result.0, result.1.map { -$0 }) }
        return result
    }

    private func fastPath() -> (Double, Int)? {
        var scaled = mantissa
        var exponent = self.exponent
        if exponent > 22 {
            // 123e25 = 123000e22: move powers of ten into the mantissa while it stays exact.
            while exponent > 22 {
                let (product, overflow) = scaled.multipliedReportingOverflow(by: 10)
                guard !overflow, product <= 1 << 53 else { return nil }
                scaled = product
                exponent -= 1
            }
        }
        guard exponent >= -22 else { return nil }
        let value = Double(scaled)
        if exponent == 0 { return (value, 0) }
        if exponent > 0 {
            let power = Self.powerOfTen(exponent)
            let product = value * power
            let error = (-product).addingProduct(value, power)  // exact: value × power − product
            return (product, error > 0 ? 1 : (error < 0 ? -1 : 0))
        }
        let power = Self.powerOfTen(-exponent)
        let quotient = value / power
        let residue = (-value).addingProduct(quotient, power)  // exact: quotient × power − value
        return (quotient, residue > 0 ? -1 : (residue < 0 ? 1 : 0))
    }
}

extension Double {
    /// `self` rounded to odd given the sign of (exact − self): exact stays, otherwise the neighbour nearer
    /// to zero with its last bit set. Rounding the result once more to any format at least two bits
    /// narrower gives the correctly rounded value of the exact number.
    func roundedToOdd(errorSign: Int) -> Double {
        guard errorSign != 0, isFinite, self != 0 else { return self }
        // In sign-magnitude, one less in the bit pattern is one step toward zero.
        let exactIsSmallerInMagnitude = (self > 0) != (errorSign > 0)
        let truncated = exactIsSmallerInMagnitude ? bitPattern - 1 : bitPattern
        return Double(bitPattern: truncated | 1)
    }
}
