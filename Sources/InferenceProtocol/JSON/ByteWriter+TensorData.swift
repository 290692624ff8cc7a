import Foundation

extension ByteWriter {
    /// Writes a tensor's data as a flat JSON array, reading it from Triton's binary layout.
    ///
    /// Throws `notRepresentableInJSON` for NaN, infinities and BYTES elements that are not UTF-8, and
    /// `invalidTensor` when the data is not a whole number of elements.
    mutating func writeJSONTensorData(_ tensor: InferTensor, label: String) throws {
        try tensor.data.withUnsafeBytes { raw in
            append(UInt8(ascii: "["))
            switch tensor.datatype {
            case .bool:
                for index in 0..<raw.count {
                    if index > 0 { append(UInt8(ascii: ",")) }
                    append(raw[index] != 0 ? "true" : "false")
                }
            case .uint8: try writeIntegers(raw, UInt8.self, label: label)
            case .uint16: try writeIntegers(raw, UInt16.self, label: label)
            case .uint32: try writeIntegers(raw, UInt32.self, label: label)
            case .uint64: try writeIntegers(raw, UInt64.self, label: label)
            case .int8: try writeIntegers(raw, Int8.self, label: label)
            case .int16: try writeIntegers(raw, Int16.self, label: label)
            case .int32: try writeIntegers(raw, Int32.self, label: label)
            case .int64: try writeIntegers(raw, Int64.self, label: label)
            case .fp16:
                #if !(os(macOS) && arch(x86_64))
                    try writeFloats(raw, UInt16.self, label: label) { Float16(bitPattern: $0) }
                #else
                    throw InferenceProtocolError(
                        .notRepresentableInJSON, "\(label): FP16 in JSON needs Float16, which this platform lacks")
                #endif
            case .bf16: try writeFloats(raw, UInt16.self, label: label) { BFloat16(bitPattern: $0).floatValue }
            case .fp32: try writeFloats(raw, UInt32.self, label: label) { Float(bitPattern: $0) }
            case .fp64: try writeFloats(raw, UInt64.self, label: label) { Double(bitPattern: $0) }
            case .bytes: try writeByteStrings(raw, label: label)
            }
            append(UInt8(ascii: "]"))
        }
    }

    private mutating func writeIntegers<Value: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ type: Value.Type, label: String
    ) throws {
        let size = MemoryLayout<Value>.size
        let count = try Self.elementCount(raw, size: size, label: label)
        reserve(count * (Value.bitWidth == 8 ? 5 : Value.bitWidth / 2))
        for index in 0..<count {
            if index > 0 { append(UInt8(ascii: ",")) }
            let value = Value(littleEndian: raw.loadUnaligned(fromByteOffset: index * size, as: Value.self))
            if Value.isSigned {
                writeJSONInteger(Int64(value))
            } else {
                writeJSONInteger(magnitude: UInt64(value))
            }
        }
    }

    private mutating func writeFloats<Bits: FixedWidthInteger, Value: BinaryFloatingPoint & LosslessStringConvertible>(
        _ raw: UnsafeRawBufferPointer, _ type: Bits.Type, label: String, _ convert: (Bits) -> Value
    ) throws {
        let size = MemoryLayout<Bits>.size
        let count = try Self.elementCount(raw, size: size, label: label)
        reserve(count * (size * 3))
        for index in 0..<count {
            if index > 0 { append(UInt8(ascii: ",")) }
            let value = convert(Bits(littleEndian: raw.loadUnaligned(fromByteOffset: index * size, as: Bits.self)))
            try writeJSONNumber(value, label: "\(label) element \(index)")
        }
    }

    private mutating func writeByteStrings(_ raw: UnsafeRawBufferPointer, label: String) throws {
        var position = 0
        try InferTensor.walkByteElements(raw, label: label) { element in
            guard isValidUTF8(element) else {
                throw InferenceProtocolError(
                    .notRepresentableInJSON,
                    "\(label): BYTES element \(position) is not valid UTF-8, which JSON cannot carry; "
                        + "send it as binary data")
            }
            if position > 0 { append(UInt8(ascii: ",")) }
            writeJSONString(bytes: element)
            position += 1
        }
    }

    private static func elementCount(_ raw: UnsafeRawBufferPointer, size: Int, label: String) throws -> Int {
        guard raw.count % size == 0 else {
            throw InferenceProtocolError.invalidTensor(
                label, "data has \(raw.count) bytes, not a whole number of \(size)-byte elements")
        }
        return raw.count / size
    }
}
