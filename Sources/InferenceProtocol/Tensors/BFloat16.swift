/// A bfloat16 value: the sign, the 8 exponent bits and the top 7 fraction bits of an IEEE 754 single.
///
/// Only conversions are offered, no arithmetic: convert to `Float` to compute. Equality compares bit
/// patterns, so `+0` and `-0` differ and a NaN equals itself.
public struct BFloat16: Sendable, Hashable, BitwiseCopyable {
    /// The raw 16 bits.
    public var bitPattern: UInt16

    /// A value from its raw 16 bits.
    public init(bitPattern: UInt16) {
        self.bitPattern = bitPattern
    }

    /// The nearest bfloat16 to `value`, ties to even; NaN stays a (quiet) NaN.
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            // Keep the sign and the top fraction bits, and make sure the result is still a NaN.
            self.init(bitPattern: UInt16(truncatingIfNeeded: bits >> 16) | 0x0040)
            return
        }
        let lowerHalf = bits & 0xFFFF
        var upperHalf = bits >> 16
        if lowerHalf > 0x8000 || (lowerHalf == 0x8000 && upperHalf & 1 == 1) {
            upperHalf += 1  // May carry into the exponent: rounding the largest values up gives infinity.
        }
        self.init(bitPattern: UInt16(truncatingIfNeeded: upperHalf))
    }

    /// The nearest bfloat16 to `value`, ties to even, rounded once (not through a rounded `Float`).
    public init(_ value: Double) {
        self.init(Self.roundedToOddSingle(value))
    }

    /// The value as a `Float`; exact.
    public var floatValue: Float {
        Float(bitPattern: UInt32(bitPattern) << 16)
    }

    /// The value as a `Double`; exact.
    public var doubleValue: Double {
        Double(floatValue)
    }

    /// Whether the value is a NaN.
    public var isNaN: Bool { floatValue.isNaN }

    /// Whether the value is neither infinite nor NaN.
    public var isFinite: Bool { floatValue.isFinite }

    /// `value` as a `Float` rounded to odd: exact when it fits, otherwise the nearer-to-zero neighbour with
    /// its last bit set. Rounding that to bfloat16 (ties to even) then equals rounding `value` directly,
    /// because a single carries more than two extra bits.
    static func roundedToOddSingle(_ value: Double) -> Float {
        var single = Float(value)
        guard single.isFinite, Double(single) != value else { return single }
        if abs(Double(single)) > abs(value) {
            single = single > 0 ? single.nextDown : single.nextUp
        }
        return Float(bitPattern: single.bitPattern | 1)
    }
}

extension BFloat16: CustomStringConvertible {
    /// The value printed as its `Float`.
    public var description: String { floatValue.description }
}

extension BFloat16: ExpressibleByFloatLiteral {
    /// The nearest bfloat16 to the literal.
    public init(floatLiteral value: Double) {
        self.init(value)
    }
}
