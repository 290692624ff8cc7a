/// Whether a model (version) can serve inference, as `GET /v2/models/{name}[/versions/{v}]/ready` says.
public struct ModelReadiness: Codable, Sendable, Hashable {
    /// The model's name.
    public var name: String
    /// The version asked about, or nil for the model's default version policy.
    public var version: String?
    /// Whether it is ready.
    public var ready: Bool

    /// A readiness with the given parts.
    public init(name: String, version: String? = nil, ready: Bool) {
        self.name = name
        self.version = version
        self.ready = ready
    }
}
