/// One entry of the model repository index (`POST /v2/repository/index`).
public struct RepositoryModel: Codable, Sendable, Hashable {
    /// The model's name.
    public var name: String
    /// The version, for a loaded version; absent for models that are not loaded.
    public var version: String?
    /// The load state, e.g. `READY`, `UNAVAILABLE`, `LOADING`.
    public var state: String?
    /// Why the model is in that state (e.g. the load error), if the server says.
    public var reason: String?

    /// An entry with the given parts.
    public init(name: String, version: String? = nil, state: String? = nil, reason: String? = nil) {
        self.name = name
        self.version = version
        self.state = state
        self.reason = reason
    }

    /// Whether the state is `READY`.
    public var isReady: Bool { state == "READY" }
}
