/// An output a request asks for, with its per-output parameters.
public struct InferRequestedOutput: Sendable, Equatable {
    /// The output tensor's name.
    public var name: String
    /// The output's parameters: `binary_data`, `classification`, `shared_memory_region`, ….
    public var parameters: InferParameters

    /// An output named `name`.
    public init(name: String, parameters: InferParameters = [:]) {
        self.name = name
        self.parameters = parameters
    }

    /// An output named `name`, returned as binary data and/or as top-`classification` classes when set.
    public init(name: String, binaryData: Bool?, classification: Int? = nil) {
        self.init(name: name)
        self.binaryData = binaryData
        self.classification = classification
    }

    /// The binary extension's `binary_data` parameter: true asks for the output as binary data.
    public var binaryData: Bool? {
        get { parameters[Self.binaryDataKey]?.boolValue }
        set { parameters[Self.binaryDataKey] = newValue.map(InferParameter.bool) }
    }

    /// The classification extension's `classification` parameter: return the top-k classes as `BYTES`
    /// strings `score:index[:label]` instead of the raw tensor.
    public var classification: Int? {
        get { parameters[Self.classificationKey]?.intValue.flatMap { Int(exactly: $0) } }
        set { parameters[Self.classificationKey] = newValue.map { .int(Int64($0)) } }
    }

    /// `binary_data`.
    public static let binaryDataKey = "binary_data"
    /// `classification`.
    public static let classificationKey = "classification"
}
