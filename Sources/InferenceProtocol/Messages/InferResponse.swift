/// A KServe v2 inference response: which model answered, and the output tensors.
public struct InferResponse: Sendable, Equatable {
    /// The model that produced the response.
    public var modelName: String
    /// The version that produced it, when the server says.
    public var modelVersion: String?
    /// The request's `id`, echoed.
    public var id: String?
    /// Response parameters (e.g. `sequence_end`, `triton_final_response`).
    public var parameters: InferParameters
    /// The output tensors.
    public var outputs: [InferTensor]

    /// A response with the given parts.
    public init(
        modelName: String, modelVersion: String? = nil, id: String? = nil, parameters: InferParameters = [:],
        outputs: [InferTensor]
    ) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.id = id
        self.parameters = parameters
        self.outputs = outputs
    }

    /// The output named `name`, if there is one.
    public func output(named name: String) -> InferTensor? {
        outputs.first { $0.name == name }
    }
}
