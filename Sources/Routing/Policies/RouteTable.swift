/// Every model's route, replaced as a whole so a reload is seen all at once or not at all.
///
/// The owner keeps one value behind a lock and swaps it on reload; each successful change
/// bumps ``version``, which the admin API can hand out and expect back to refuse lost updates.
public struct RouteTable: Sendable {
    /// A change was based on an older table than the current one; maps to 409 Conflict.
    public struct VersionConflict: Error, Sendable, Hashable, CustomStringConvertible {
        /// The version the caller based its change on.
        public let expected: UInt64
        /// The table's current version.
        public let actual: UInt64

        /// A sentence for the operator.
        public var description: String {
            "the route table changed: expected version \(expected), current version is \(actual)"
        }
    }

    /// Increases by one with every successful change; 0 for an empty new table.
    public private(set) var version: UInt64
    private var selectors: [String: CanarySelector]

    /// Creates a table from `routes`, validating each one and refusing duplicate models.
    public init(routes: [ModelRoute] = [], version: UInt64 = 0) throws(RouteValidationError) {
        self.selectors = try Self.build(routes)
        self.version = version
    }

    /// The names of every routed model, sorted.
    public var models: [String] { selectors.keys.sorted() }

    /// Every route, sorted by model name.
    public var routes: [ModelRoute] { models.compactMap { selectors[$0]?.route } }

    /// Whether no model is routed.
    public var isEmpty: Bool { selectors.isEmpty }

    /// The route of `model`, if it has one.
    public func route(for model: String) -> ModelRoute? {
        selectors[model]?.route
    }

    /// The version selector of `model`, if it has a route.
    public func selector(for model: String) -> CanarySelector? {
        selectors[model]
    }

    /// Replaces every route at once and returns the new version.
    ///
    /// Nothing changes if any route is invalid or if `expectedVersion` is given and differs
    /// from ``version``. Throws ``RouteValidationError`` or ``VersionConflict``.
    @discardableResult
    public mutating func replace(with routes: [ModelRoute], expectedVersion: UInt64? = nil) throws -> UInt64 {
        try checkVersion(expectedVersion)
        selectors = try Self.build(routes)
        version &+= 1
        return version
    }

    /// Adds or replaces the route of one model (e.g. new canary weights); returns the new version.
    @discardableResult
    public mutating func upsert(_ route: ModelRoute, expectedVersion: UInt64? = nil) throws -> UInt64 {
        try checkVersion(expectedVersion)
        selectors[route.model] = try CanarySelector(route: route)
        version &+= 1
        return version
    }

    /// Removes the route of `model`; returns the new version, or `nil` if it had no route.
    @discardableResult
    public mutating func remove(model: String, expectedVersion: UInt64? = nil) throws(VersionConflict) -> UInt64? {
        try checkVersion(expectedVersion)
        guard selectors.removeValue(forKey: model) != nil else { return nil }
        version &+= 1
        return version
    }

    private func checkVersion(_ expected: UInt64?) throws(VersionConflict) {
        if let expected, expected != version {
            throw VersionConflict(expected: expected, actual: version)
        }
    }

    private static func build(_ routes: [ModelRoute]) throws(RouteValidationError) -> [String: CanarySelector] {
        var selectors: [String: CanarySelector] = [:]
        for route in routes {
            guard selectors[route.model] == nil else {
                throw RouteValidationError(
                    .duplicateModel, model: route.model,
                    "model \"\(route.model)\": the route table holds more than one route for it")
            }
            selectors[route.model] = try CanarySelector(route: route)
        }
        return selectors
    }
}
