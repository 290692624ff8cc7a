import Foundation

extension InferTensor {
    /// Checks that the shape is valid and that `data` holds exactly the elements it describes.
    ///
    /// `label` names the tensor in messages, e.g. `input 'INPUT0'`. A shared-memory tensor with no data
    /// passes the data checks, since its bytes are elsewhere.
    func checkLayout(label: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw InferenceProtocolError.invalidTensor(
                label, "shape \(Self.describe(shape)) has a negative dimension")
        }
        guard let count = Self.elementCount(of: shape) else {
            throw InferenceProtocolError.invalidTensor(label, "shape \(Self.describe(shape)) is too large")
        }
        if data.isEmpty && usesSharedMemory { return }
        if let size = datatype.elementByteSize {
            let (expected, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, expected == data.count else {
                let needed = overflow ? "more than \(Int.max)" : String(expected)
                throw InferenceProtocolError.invalidTensor(
                    label,
                    "shape \(Self.describe(shape)) × \(size)-byte \(datatype) needs \(needed) bytes, data has "
                        + "\(data.count)")
            }
        } else {
            let found = try data.withUnsafeBytes { try Self.walkByteElements($0, label: label) }
            guard found == count else {
                throw InferenceProtocolError.invalidTensor(
                    label, "shape \(Self.describe(shape)) needs \(count) BYTES elements, data has \(found)")
            }
        }
    }

    /// The product of `shape`, or nil if a dimension is negative or the product overflows `Int`.
    static func elementCount(of shape: [Int64]) -> Int? {
        var product = 1
        for dimension in shape {
            guard dimension >= 0, let factor = Int(exactly: dimension) else { return nil }
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = result
        }
        return product
    }

    /// A shape as messages print it: `[2,3]`.
    static func describe(_ shape: [Int64]) -> String {
        "[" + shape.map(String.init).joined(separator: ",") + "]"
    }

    /// Walks length-prefixed `BYTES` elements, calling `body` with each; returns how many there are.
    ///
    /// Throws, naming `label`, when a length prefix is truncated or overruns the data.
    @discardableResult
    static func walkByteElements(
        _ raw: UnsafeRawBufferPointer, label: @autoclosure () -> String,
        _ body: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    ) throws -> Int {
        var offset = 0
        var count = 0
        while offset < raw.count {
            guard raw.count - offset >= 4 else {
                throw InferenceProtocolError.invalidTensor(
                    label(), "BYTES element \(count) has a truncated length prefix at byte \(offset)")
            }
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            offset += 4
            guard length <= raw.count - offset else {
                throw InferenceProtocolError.invalidTensor(
                    label(),
                    "BYTES element \(count) declares \(length) bytes but only \(raw.count - offset) remain")
            }
            try body(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]))
            offset += length
            count += 1
        }
        return count
    }
}
