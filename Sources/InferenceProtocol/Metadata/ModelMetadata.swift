/// A model's metadata (`GET /v2/models/{name}[/versions/{v}]`).
public struct ModelMetadata: Codable, Sendable, Hashable {
    /// The model's name.
    public var name: String
    /// The versions available (Triton lists the loaded ones).
    public var versions: [String]
    /// The framework, e.g. `onnxruntime_onnx`, `pytorch_libtorch`, `python`, `ensemble`.
    public var platform: String
    /// The inputs the model takes.
    public var inputs: [TensorMetadata]
    /// The outputs the model produces.
    public var outputs: [TensorMetadata]

    /// Metadata with the given parts.
    public init(
        name: String, versions: [String] = [], platform: String, inputs: [TensorMetadata],
        outputs: [TensorMetadata]
    ) {
        self.name = name
        self.versions = versions
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Decodes KServe v2 metadata; `versions`, `platform`, `inputs` and `outputs` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        versions = try container.decodeIfPresent([String].self, forKey: .versions) ?? []
        platform = try container.decodeIfPresent(String.self, forKey: .platform) ?? ""
        inputs = try container.decodeIfPresent([TensorMetadata].self, forKey: .inputs) ?? []
        outputs = try container.decodeIfPresent([TensorMetadata].self, forKey: .outputs) ?? []
    }

    /// The input named `name`, if there is one.
    public func input(named name: String) -> TensorMetadata? {
        inputs.first { $0.name == name }
    }

    /// The output named `name`, if there is one.
    public func output(named name: String) -> TensorMetadata? {
        outputs.first { $0.name == name }
    }

    private enum CodingKeys: String, CodingKey {
        case name, versions, platform, inputs, outputs
    }
}
