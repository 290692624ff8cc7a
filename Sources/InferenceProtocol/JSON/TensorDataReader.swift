import Foundation

/// Reads a tensor's JSON `data` (a flat or nested array, or a bare scalar) into Triton's binary layout.
///
/// Nested arrays are flattened row-major and must be rectangular: every array at one depth has the same
/// length and values sit only at the deepest level. Whether the element count matches the shape is checked
/// afterwards, with the rest of the tensor's layout.
enum TensorDataReader {
    /// Reads the value at the scanner's position as the data of a `datatype` tensor of about
    /// `expectedCount` elements; `label` names the tensor in messages.
    static func read(
        _ scanner: inout JSONScanner, datatype: TensorDatatype, expectedCount: Int?, label: String
    ) throws -> Data {
        // Every JSON element takes at least two bytes ("1,"), which bounds what a hostile shape can reserve.
        let remaining = scanner.bytes.count - scanner.position
        let elements = min(expectedCount ?? 0, remaining / 2 + 1)
        var writer = ByteWriter(capacity: elements * (datatype.elementByteSize ?? 16))
        switch datatype {
        case .bool: try walk(&scanner, &writer, label: label, leaf: BoolLeaf())
        case .uint8: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<UInt8>(label: label))
        case .uint16: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<UInt16>(label: label))
        case .uint32: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<UInt32>(label: label))
        case .uint64: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<UInt64>(label: label))
        case .int8: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<Int8>(label: label))
        case .int16: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<Int16>(label: label))
        case .int32: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<Int32>(label: label))
        case .int64: try walk(&scanner, &writer, label: label, leaf: IntegerLeaf<Int64>(label: label))
        case .fp16: try walk(&scanner, &writer, label: label, leaf: FloatLeaf(format: .half, label: label))
        case .bf16: try walk(&scanner, &writer, label: label, leaf: FloatLeaf(format: .bfloat, label: label))
        case .fp32: try walk(&scanner, &writer, label: label, leaf: FloatLeaf(format: .single, label: label))
        case .fp64: try walk(&scanner, &writer, label: label, leaf: FloatLeaf(format: .double, label: label))
        case .bytes: try walk(&scanner, &writer, label: label, leaf: BytesLeaf())
        }
        return writer.finish()
    }

    /// Walks nested arrays without recursion, reading each value with `leaf`.
    private static func walk<Leaf: TensorDataLeaf>(
        _ scanner: inout JSONScanner, _ writer: inout ByteWriter, label: String, leaf: Leaf
    ) throws {
        guard scanner.peek() == UInt8(ascii: "[") else {
            try leaf.read(&scanner, into: &writer)  // A bare scalar: one element.
            return
        }
        scanner.position += 1
        var openCounts = [0]  // Elements so far in each open array, outermost first.
        // The length every array at a depth must have, once one closed (-1: none closed yet).
        var lengthAtDepth = [Int](repeating: -1, count: JSONScanner.maximumDepth + 1)
        var valueDepth = -1  // The depth values sit at, once one was read.
        var afterValue = false
        while true {
            guard let byte = scanner.peek() else { throw scanner.malformed("unexpected end of input in 'data'") }
            if afterValue {
                if byte == UInt8(ascii: ",") {
                    scanner.position += 1
                    afterValue = false
                    continue
                }
                guard byte == UInt8(ascii: "]") else { throw scanner.unexpected(expecting: "',' or ']'") }
            } else if byte == UInt8(ascii: "[") {
                guard openCounts.count < JSONScanner.maximumDepth else {
                    throw scanner.malformed("nesting deeper than \(JSONScanner.maximumDepth) levels")
                }
                scanner.position += 1
                openCounts.append(0)
                continue
            } else if byte != UInt8(ascii: "]") || openCounts[openCounts.count - 1] != 0 {
                if valueDepth != openCounts.count {
                    guard valueDepth == -1 else { throw ragged(scanner, label, "mixes values and arrays") }
                    valueDepth = openCounts.count
                }
                try leaf.read(&scanner, into: &writer)
                openCounts[openCounts.count - 1] += 1
                afterValue = true
                continue
            }
            // Closing an array: check it is as long as its siblings.
            let length = openCounts.removeLast()
            let depth = openCounts.count
            if lengthAtDepth[depth] == -1 {
                lengthAtDepth[depth] = length
            } else if lengthAtDepth[depth] != length {
                throw ragged(
                    scanner, label, "has arrays of \(lengthAtDepth[depth]) and \(length) elements at depth \(depth + 1)"
                )
            }
            scanner.position += 1
            if openCounts.isEmpty { return }
            openCounts[openCounts.count - 1] += 1
            afterValue = true
        }
    }

    private static func ragged(_ scanner: JSONScanner, _ label: String, _ problem: String) -> InferenceProtocolError {
        InferenceProtocolError(
            .invalidTensor, "\(label): 'data' is a ragged nested array: it \(problem) (byte \(scanner.position))",
            byteOffset: scanner.position)
    }
}

/// Reads one JSON value of a tensor's data into its binary layout.
private protocol TensorDataLeaf {
    func read(_ scanner: inout JSONScanner, into writer: inout ByteWriter) throws
}

private struct BoolLeaf: TensorDataLeaf {
    func read(_ scanner: inout JSONScanner, into writer: inout ByteWriter) throws {
        writer.append(try scanner.readBool() ? 1 : 0)
    }
}

private struct BytesLeaf: TensorDataLeaf {
    func read(_ scanner: inout JSONScanner, into writer: inout ByteWriter) throws {
        try scanner.readByteElement(into: &writer)
    }
}

private struct IntegerLeaf<Value: FixedWidthInteger & TensorScalar>: TensorDataLeaf {
    let label: String

    func read(_ scanner: inout JSONScanner, into writer: inout ByteWriter) throws {
        scanner.skipWhitespace()
        let start = scanner.position
        let (negative, parsed) = try scanner.readInteger()
        let value: Value?
        if let magnitude = parsed {
            if !negative {
                value = Value(exactly: magnitude)
            } else if magnitude <= UInt64(Int64.max) {
                value = Value(exactly: -Int64(magnitude))
            } else {
                value = magnitude == UInt64(Int64.max) + 1 ? Value(exactly: Int64.min) : nil
            }
        } else {
            value = nil
        }
        guard let value else {
            let text = scanner.text(of: start..<scanner.position)
            scanner.position = start
            throw InferenceProtocolError(
                .invalidTensor,
                "\(label): value \(text) is out of range for \(Value.tensorDatatype) (byte \(scanner.position))",
                byteOffset: scanner.position)
        }
        writer.appendLittleEndian(value)
    }
}

private struct FloatLeaf: TensorDataLeaf {
    enum Format {
        case half, bfloat, single, double
    }

    let format: Format
    let label: String

    func read(_ scanner: inout JSONScanner, into writer: inout ByteWriter) throws {
        let number = try scanner.readNumber()
        let (value, errorSign) = number.doubleValue(in: scanner)
        let finite: Bool
        switch format {
        case .double:
            finite = value.isFinite
            writer.appendLittleEndian(value.bitPattern)
        case .single:
            let single =
                errorSign.map { Float(value.roundedToOdd(errorSign: $0)) } ?? Float(scanner.text(of: number.range))
            finite = single?.isFinite ?? false
            writer.appendLittleEndian(single?.bitPattern ?? 0)
        case .bfloat:
            let bfloat = BFloat16(value.roundedToOdd(errorSign: errorSign ?? 0))
            finite = bfloat.isFinite
            writer.appendLittleEndian(bfloat.bitPattern)
        case .half:
            #if !(os(macOS) && arch(x86_64))
                let half =
                    errorSign.map { Float16(value.roundedToOdd(errorSign: $0)) }
                    ?? Float16(scanner.text(of: number.range))
                finite = half?.isFinite ?? false
                writer.appendLittleEndian(half?.bitPattern ?? 0)
            #else
                throw InferenceProtocolError(
                    .notRepresentableInJSON, "\(label): FP16 in JSON needs Float16, which this platform lacks")
            #endif
        }
        guard finite else {
            throw InferenceProtocolError(
                .invalidTensor,
                "\(label): value \(scanner.text(of: number.range)) is out of range for \(format.datatype) "
                    + "(byte \(number.range.lowerBound))",
                byteOffset: number.range.lowerBound)
        }
    }
}

extension FloatLeaf.Format {
    fileprivate var datatype: TensorDatatype {
        switch self {
        case .half: .fp16
        case .bfloat: .bf16
        case .single: .fp32
        case .double: .fp64
        }
    }
}
