/// One destination of a model's traffic: a model version, its share, and optionally its backends.
public struct RouteTarget: Sendable, Hashable, Codable {
    /// The Triton model version to call, or `nil` to let the request's own version (or Triton's
    /// version policy) decide.
    public var version: String?
    /// This target's share of the model's traffic, relative to the other targets' weights.
    public var weight: Int
    /// The backends serving this target, or `nil` for every backend in the pool.
    public var backends: [BackendID]?

    /// Creates a target.
    public init(version: String? = nil, weight: Int, backends: [BackendID]? = nil) {
        self.version = version
        self.weight = weight
        self.backends = backends
    }

    /// A short name for messages and logs: `version "2"` or `the unversioned target`.
    public var label: String {
        version.map { "version \"\($0)\"" } ?? "the unversioned target"
    }
}
