import InferenceProtocol

/// The models and versions the backends hold, from each backend's repository index.
///
/// With the routes it bounds what the router keeps state and metric series for: a model (or
/// version) neither routed nor in any backend's index is unknown, answered 404 without a trace.
/// A backend's entry is replaced by each index it returns and kept while it does not answer, so
/// a backend that is down does not make its models unknown.
public struct ModelCatalog: Sendable, Hashable {
    /// Per backend: model name → versions the index lists for it (empty for a model not loaded).
    private var indexes: [BackendID: [String: Set<String>]] = [:]

    /// An empty catalog: nothing is known until an index arrives.
    public init() {}

    /// Whether any backend's index has arrived yet.
    public var isLoaded: Bool { !indexes.isEmpty }

    /// Replaces what `backend` holds with its latest repository index.
    public mutating func record(backend: BackendID, index: [RepositoryModel]) {
        var models: [String: Set<String>] = [:]
        for entry in index {
            var versions = models[entry.name, default: []]
            if let version = entry.version, !version.isEmpty { versions.insert(version) }
            models[entry.name] = versions
        }
        indexes[backend] = models
    }

    /// Forgets backends that are no longer configured.
    public mutating func retain(backends keep: Set<BackendID>) {
        indexes = indexes.filter { keep.contains($0.key) }
    }

    /// Whether some backend's index lists `model`.
    public func contains(model: String) -> Bool {
        indexes.values.contains { $0[model] != nil }
    }

    /// Whether some backend's index lists `version` of `model`.
    public func contains(model: String, version: String) -> Bool {
        indexes.values.contains { $0[model]?.contains(version) == true }
    }
}
