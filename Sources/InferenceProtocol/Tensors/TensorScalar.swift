import Foundation

/// A Swift type whose values can fill a tensor of one fixed-size datatype.
///
/// Conforming types are plain values laid out exactly like one element of `tensorDatatype`
/// (`Bool` is one byte, 0 or 1). The library provides every conformance the protocol needs;
/// conform your own type only if it has that layout.
public protocol TensorScalar: BitwiseCopyable, Sendable, Equatable {
    /// The datatype a tensor of these values has.
    static var tensorDatatype: TensorDatatype { get }
}

extension Bool: TensorScalar {
    /// `BOOL`.
    public static var tensorDatatype: TensorDatatype { .bool }
}

extension UInt8: TensorScalar {
    /// `UINT8`.
    public static var tensorDatatype: TensorDatatype { .uint8 }
}

extension UInt16: TensorScalar {
    /// `UINT16`.
    public static var tensorDatatype: TensorDatatype { .uint16 }
}

extension UInt32: TensorScalar {
    /// `UINT32`.
    public static var tensorDatatype: TensorDatatype { .uint32 }
}

extension UInt64: TensorScalar {
    /// `UINT64`.
    public static var tensorDatatype: TensorDatatype { .uint64 }
}

extension Int8: TensorScalar {
    /// `INT8`.
    public static var tensorDatatype: TensorDatatype { .int8 }
}

extension Int16: TensorScalar {
    /// `INT16`.
    public static var tensorDatatype: TensorDatatype { .int16 }
}

extension Int32: TensorScalar {
    /// `INT32`.
    public static var tensorDatatype: TensorDatatype { .int32 }
}

extension Int64: TensorScalar {
    /// `INT64`.
    public static var tensorDatatype: TensorDatatype { .int64 }
}

#if !(os(macOS) && arch(x86_64))
    extension Float16: TensorScalar {
        /// `FP16`.
        public static var tensorDatatype: TensorDatatype { .fp16 }
    }
#endif

extension Float: TensorScalar {
    /// `FP32`.
    public static var tensorDatatype: TensorDatatype { .fp32 }
}

extension Double: TensorScalar {
    /// `FP64`.
    public static var tensorDatatype: TensorDatatype { .fp64 }
}

extension BFloat16: TensorScalar {
    /// `BF16`.
    public static var tensorDatatype: TensorDatatype { .bf16 }
}

extension TensorScalar {
    /// The values in Triton's binary layout: little-endian, no padding.
    static func binaryData(of values: [Self]) -> Data {
        precondition(
            MemoryLayout<Self>.size == tensorDatatype.elementByteSize,
            "\(Self.self) is not laid out like one \(tensorDatatype) element")
        var data = values.withUnsafeBytes { Data($0) }
        #if _endian(big)
            data.withUnsafeMutableBytes { swapByteOrder($0, elementSize: MemoryLayout<Self>.size) }
        #endif
        return data
    }

    /// Reads `bytes` (Triton's binary layout) as values; `bytes.count` must be a multiple of the element size.
    static func values(fromBinary bytes: UnsafeRawBufferPointer) -> [Self] {
        let size = MemoryLayout<Self>.size
        precondition(size == tensorDatatype.elementByteSize && bytes.count % size == 0)
        let count = bytes.count / size
        if Self.self == Bool.self {
            // Any non-zero byte is true; never reinterpret an arbitrary byte as a Bool.
            let booleans = bytes.map { $0 != 0 }
            return booleans as! [Self]
        }
        return [Self](unsafeUninitializedCapacity: count) { buffer, initialized in
            let destination = UnsafeMutableRawBufferPointer(buffer)
            if count > 0 { destination.copyMemory(from: bytes) }
            #if _endian(big)
                swapByteOrder(destination, elementSize: size)
            #endif
            initialized = count
        }
    }
}

#if _endian(big)
    /// Reverses the bytes of every `elementSize`-byte element in place (big-endian hosts only).
    private func swapByteOrder(_ bytes: UnsafeMutableRawBufferPointer, elementSize: Int) {
        guard elementSize > 1 else { return }
        var offset = 0
        while offset < bytes.count {
            var low = offset
            var high = offset + elementSize - 1
            while low < high {
                bytes.swapAt(low, high)
                low += 1
                high -= 1
            }
            offset += elementSize
        }
    }
#endif
