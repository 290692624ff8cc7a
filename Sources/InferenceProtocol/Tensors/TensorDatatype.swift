/// The element type of a tensor, spelled as KServe v2 and Triton spell it on the wire.
public enum TensorDatatype: String, Sendable, Hashable, Codable, CaseIterable {
    /// Booleans, one byte each (0 or 1) in binary form.
    case bool = "BOOL"
    /// Unsigned 8-bit integers.
    case uint8 = "UINT8"
    /// Unsigned 16-bit integers.
    case uint16 = "UINT16"
    /// Unsigned 32-bit integers.
    case uint32 = "UINT32"
    /// Unsigned 64-bit integers.
    case uint64 = "UINT64"
    /// Signed 8-bit integers.
    case int8 = "INT8"
    /// Signed 16-bit integers.
    case int16 = "INT16"
    /// Signed 32-bit integers.
    case int32 = "INT32"
    /// Signed 64-bit integers.
    case int64 = "INT64"
    /// IEEE 754 half precision.
    case fp16 = "FP16"
    /// bfloat16: the upper half of an IEEE 754 single.
    case bf16 = "BF16"
    /// IEEE 754 single precision.
    case fp32 = "FP32"
    /// IEEE 754 double precision.
    case fp64 = "FP64"
    /// Variable-length byte strings; in binary form each element is a 4-byte little-endian length and the bytes.
    case bytes = "BYTES"

    /// The size of one element in bytes, or nil for `BYTES`, whose elements vary in length.
    public var elementByteSize: Int? {
        switch self {
        case .bool, .uint8, .int8: 1
        case .uint16, .int16, .fp16, .bf16: 2
        case .uint32, .int32, .fp32: 4
        case .uint64, .int64, .fp64: 8
        case .bytes: nil
        }
    }

    /// Whether elements are floating-point numbers (FP16, BF16, FP32, FP64).
    public var isFloatingPoint: Bool {
        switch self {
        case .fp16, .bf16, .fp32, .fp64: true
        default: false
        }
    }

    /// Whether elements are integers, signed or unsigned (BOOL and BYTES are not).
    public var isInteger: Bool {
        switch self {
        case .uint8, .uint16, .uint32, .uint64, .int8, .int16, .int32, .int64: true
        default: false
        }
    }

    /// The smallest and the largest value of an integer datatype; nil for the others.
    var integerRange: (minimum: Int64, maximum: UInt64)? {
        switch self {
        case .uint8: (0, UInt64(UInt8.max))
        case .uint16: (0, UInt64(UInt16.max))
        case .uint32: (0, UInt64(UInt32.max))
        case .uint64: (0, UInt64.max)
        case .int8: (Int64(Int8.min), UInt64(Int8.max))
        case .int16: (Int64(Int16.min), UInt64(Int16.max))
        case .int32: (Int64(Int32.min), UInt64(Int32.max))
        case .int64: (Int64.min, UInt64(Int64.max))
        default: nil
        }
    }
}

extension TensorDatatype: CustomStringConvertible {
    /// The wire spelling, e.g. `FP32`.
    public var description: String { rawValue }
}
