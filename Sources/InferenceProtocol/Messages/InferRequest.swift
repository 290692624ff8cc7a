/// A KServe v2 inference request: the inputs, the outputs wanted, and request parameters.
///
/// The model name and version are not part of the body; they travel in the URL path.
public struct InferRequest: Sendable, Equatable {
    /// An identifier the server echoes in the response.
    public var id: String?
    /// Request parameters, e.g. `timeout`, `priority`, `binary_data_output`, `sequence_id`.
    public var parameters: InferParameters
    /// The input tensors.
    public var inputs: [InferTensor]
    /// The outputs to return; empty means all of the model's outputs.
    public var outputs: [InferRequestedOutput]

    /// A request with the given parts.
    public init(
        id: String? = nil, parameters: InferParameters = [:], inputs: [InferTensor],
        outputs: [InferRequestedOutput] = []
    ) {
        self.id = id
        self.parameters = parameters
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The input named `name`, if there is one.
    public func input(named name: String) -> InferTensor? {
        inputs.first { $0.name == name }
    }

    /// The binary extension's request-level `binary_data_output`: true asks for every output as binary data
    /// unless an output says otherwise.
    public var binaryDataOutput: Bool? {
        get { parameters[Self.binaryDataOutputKey]?.boolValue }
        set { parameters[Self.binaryDataOutputKey] = newValue.map(InferParameter.bool) }
    }

    /// The names of `response`'s outputs that this request asked to receive as binary data: those whose
    /// requested output has `binary_data: true`, or all not set to false when `binary_data_output` is true.
    ///
    /// Pass the result to `InferenceCodec.encodeResponse(_:binaryOutputs:)` to answer as Triton would.
    public func binaryOutputNames(in response: InferResponse) -> Set<String> {
        let defaultBinary = binaryDataOutput ?? false
        var names: Set<String> = []
        for output in response.outputs {
            let requested = outputs.first { $0.name == output.name }
            if requested?.binaryData ?? defaultBinary {
                names.insert(output.name)
            }
        }
        return names
    }

    /// `binary_data_output`.
    public static let binaryDataOutputKey = "binary_data_output"
}
