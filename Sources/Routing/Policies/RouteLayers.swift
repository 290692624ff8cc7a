/// The routes a router serves, from two sources: the routes file (the bootstrap, reloaded when it
/// changes) and the routes every replica shares (stored in PostgreSQL, versioned). A shared route
/// replaces the file's route for its model; the file's other routes stay in force.
public struct RouteLayers: Sendable, Equatable {
    /// The routes file's routes.
    public private(set) var file: [ModelRoute]
    /// The shared routes, by model.
    public private(set) var shared: [String: ModelRoute] = [:]
    /// The version of the shared routes in force: their newest change; 0 before any.
    public private(set) var sharedVersion: Int64 = 0

    /// Layers holding only the routes file's routes.
    public init(file: [ModelRoute]) {
        self.file = file
    }

    /// The routes in force, sorted by model.
    public var effective: [ModelRoute] {
        var byModel = Dictionary(file.map { ($0.model, $0) }, uniquingKeysWith: { _, last in last })
        byModel.merge(shared) { _, sharedRoute in sharedRoute }
        return byModel.values.sorted { $0.model < $1.model }
    }

    /// Replaces the routes file's routes.
    public mutating func setFile(_ routes: [ModelRoute]) {
        file = routes
    }

    /// Replaces the shared routes with `routes` at `version`; returns false, changing nothing,
    /// when `version` is the one in force already.
    public mutating func setShared(_ routes: [ModelRoute], version: Int64) -> Bool {
        guard version != sharedVersion else { return false }
        shared = Dictionary(routes.map { ($0.model, $0) }, uniquingKeysWith: { _, last in last })
        sharedVersion = version
        return true
    }
}
