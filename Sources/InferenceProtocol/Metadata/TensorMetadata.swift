/// An input or output as a model's metadata describes it.
public struct TensorMetadata: Codable, Sendable, Hashable {
    /// The tensor's name.
    public var name: String
    /// The datatype exactly as the server reports it (kept raw: servers may report types this library lacks).
    public var datatype: String
    /// The dimensions; -1 means any size (the batch dimension of a batching model is -1).
    public var shape: [Int64]

    /// A description with the given parts.
    public init(name: String, datatype: String, shape: [Int64]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }

    /// The datatype, if it is one this library knows.
    public var knownDatatype: TensorDatatype? {
        TensorDatatype(rawValue: datatype)
    }

    /// Whether a tensor of `shape` fits: same rank, and equal dimensions except where this shape has -1.
    public func accepts(shape other: [Int64]) -> Bool {
        other.count == shape.count && zip(shape, other).allSatisfy { $0 == -1 || $0 == $1 }
    }
}
