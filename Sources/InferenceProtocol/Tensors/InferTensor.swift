import Foundation

/// One tensor of a request or a response.
///
/// `data` is always held in Triton's binary layout, whatever form the tensor travelled in: elements
/// little-endian and row-major, `BOOL` one byte each, `BYTES` elements each a 4-byte little-endian length
/// followed by the bytes. The codec moves between this layout and JSON.
public struct InferTensor: Sendable, Equatable {
    /// The tensor's name, e.g. `INPUT0`.
    public var name: String
    /// The element type.
    public var datatype: TensorDatatype
    /// The dimensions; the element count is their product.
    public var shape: [Int64]
    /// Tensor parameters other than the binary extension's `binary_data_size`, which the codec manages.
    public var parameters: InferParameters
    /// The elements in Triton's binary layout.
    public var data: Data

    /// A tensor from raw data that is already in Triton's binary layout.
    public init(
        name: String, datatype: TensorDatatype, shape: [Int64], data: Data, parameters: InferParameters = [:]
    ) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.data = data
        self.parameters = parameters
    }

    /// A tensor of `values`, whose datatype follows from `T` (e.g. `Float` gives `FP32`).
    public init<T: TensorScalar>(name: String, shape: [Int64], values: [T], parameters: InferParameters = [:]) {
        self.init(
            name: name, datatype: T.tensorDatatype, shape: shape, data: T.binaryData(of: values),
            parameters: parameters)
    }

    /// A `BYTES` tensor of UTF-8 strings.
    public init(name: String, shape: [Int64], strings: [String], parameters: InferParameters = [:]) {
        self.init(name: name, shape: shape, byteElements: strings.map { Array($0.utf8) }, parameters: parameters)
    }

    /// A `BYTES` tensor of arbitrary byte strings (e.g. encoded images).
    public init(name: String, shape: [Int64], bytes: [Data], parameters: InferParameters = [:]) {
        self.init(name: name, shape: shape, byteElements: bytes, parameters: parameters)
    }

    private init<Element: Collection<UInt8>>(
        name: String, shape: [Int64], byteElements: [Element], parameters: InferParameters
    ) {
        var data = Data(capacity: byteElements.reduce(0) { $0 + 4 + $1.count })
        for element in byteElements {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: element.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: element)
        }
        self.init(name: name, datatype: .bytes, shape: shape, data: data, parameters: parameters)
    }

    /// The product of the shape: 1 for a scalar (`[]`), 0 when a dimension is negative or the product
    /// overflows `Int` (`validate()` reports such shapes).
    public var elementCount: Int {
        Self.elementCount(of: shape) ?? 0
    }

    /// Whether the tensor's data lives in a shared-memory region (`shared_memory_region` parameter) rather
    /// than in the message; such a tensor has empty `data`.
    public var usesSharedMemory: Bool {
        parameters["shared_memory_region"] != nil
    }

    /// The elements as `T`, which must match the datatype (`Float` for `FP32`, …).
    ///
    /// Throws when the datatype differs or the data is not shape × element size bytes.
    public func values<T: TensorScalar>(as type: T.Type = T.self) throws -> [T] {
        guard datatype == T.tensorDatatype else {
            throw InferenceProtocolError(
                .datatypeMismatch, "tensor '\(name)' has datatype \(datatype), not \(T.tensorDatatype) (\(T.self))")
        }
        try checkLayout(label: "tensor '\(name)'")
        return data.withUnsafeBytes { T.values(fromBinary: $0) }
    }

    /// The elements of a `BYTES` tensor, each without its length prefix.
    public func byteElements() throws -> [Data] {
        var elements: [Data] = []
        try forEachByteElement { elements.append(Data($0)) }
        return elements
    }

    /// The elements of a `BYTES` tensor decoded as UTF-8 (invalid sequences become U+FFFD).
    public func strings() throws -> [String] {
        var elements: [String] = []
        try forEachByteElement { elements.append(String(decoding: $0, as: UTF8.self)) }
        return elements
    }

    /// Calls `body` with each element of a `BYTES` tensor, without copying it.
    ///
    /// Throws if the tensor is not `BYTES`, if a length prefix overruns the data, or if the element count
    /// differs from the shape.
    public func forEachByteElement(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard datatype == .bytes else {
            throw InferenceProtocolError(.datatypeMismatch, "tensor '\(name)' has datatype \(datatype), not BYTES")
        }
        try checkLayout(label: "tensor '\(name)'")
        _ = try data.withUnsafeBytes { raw in
            try Self.walkByteElements(raw, label: "tensor '\(name)'", body)
        }
    }
}
