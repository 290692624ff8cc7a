/// The server's metadata (`GET /v2`).
public struct ServerMetadata: Codable, Sendable, Hashable {
    /// The server's name, e.g. `triton`.
    public var name: String
    /// The server's version.
    public var version: String
    /// The protocol extensions it supports, e.g. `binary_tensor_data`, `classification`.
    public var extensions: [String]

    /// Metadata with the given parts.
    public init(name: String, version: String, extensions: [String] = []) {
        self.name = name
        self.version = version
        self.extensions = extensions
    }

    /// Decodes KServe v2 server metadata; `extensions` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version)
        extensions = try container.decodeIfPresent([String].self, forKey: .extensions) ?? []
    }

    /// Whether the server announces `name` among its extensions.
    public func supports(_ name: String) -> Bool {
        extensions.contains(name)
    }

    private enum CodingKeys: String, CodingKey {
        case name, version, extensions
    }
}
