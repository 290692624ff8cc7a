/// Chooses which target (model version) of a route serves a request.
///
/// Three ways, in the order ``select(pinnedVersion:stickyKey:using:)`` applies them:
/// - pinned: the client asked for a version; it must be a target of the route (even one of
///   weight 0, so a dark version can be tested). A route with only an unversioned target does
///   not constrain versions: the pin passes through to Triton.
/// - sticky: a key (user, session) is hashed with ``StableHash`` into `0..<totalWeight`, so the
///   same key lands on the same version for as long as the weights are unchanged.
/// - weighted: a random draw in proportion to the weights.
public struct CanarySelector: Sendable {
    /// The route, validated.
    public let route: ModelRoute
    /// Upper bound (exclusive) of each target's slice of `0..<totalWeight`, in target order.
    private let upperBounds: [Int]

    /// Wraps a route after validating it.
    public init(route: ModelRoute) throws(RouteValidationError) {
        try route.validate()
        self.route = route
        var running = 0
        self.upperBounds = route.targets.map { target in
            running += target.weight
            return running
        }
    }

    /// Picks by pin if given, else by sticky key if given, else at random by weight.
    public func select(
        pinnedVersion: String? = nil,
        stickyKey: String? = nil,
        using rng: inout some RandomNumberGenerator
    ) throws(UnroutedVersionError) -> RouteTarget {
        if let pinnedVersion {
            return try target(pinnedTo: pinnedVersion)
        }
        if let stickyKey {
            return target(stickyKey: stickyKey)
        }
        return weightedTarget(using: &rng)
    }

    /// A random target, each chosen with probability `weight / totalWeight`.
    public func weightedTarget(using rng: inout some RandomNumberGenerator) -> RouteTarget {
        target(atPoint: Int.random(in: 0..<route.totalWeight, using: &rng))
    }

    /// The target for `key`: always the same one while the weights are unchanged.
    ///
    /// Targets own consecutive slices of `0..<totalWeight` in route order, so moving weight
    /// between two adjacent targets moves only the keys in the slice that changed hands.
    public func target(stickyKey key: String) -> RouteTarget {
        target(atPoint: StableHash.bucket(key, count: route.totalWeight))
    }

    /// The target serving `version`; throws if the route does not serve that version.
    public func target(pinnedTo version: String) throws(UnroutedVersionError) -> RouteTarget {
        if let target = route.target(version: version) {
            return target
        }
        if route.targets.allSatisfy({ $0.version == nil }), let unversioned = route.targets.first {
            return unversioned
        }
        throw UnroutedVersionError(
            model: route.model,
            version: version,
            routedVersions: route.targets.compactMap(\.version)
        )
    }

    private func target(atPoint point: Int) -> RouteTarget {
        // Few targets: a linear scan beats a binary search. Weight-0 targets own empty slices.
        for (index, bound) in upperBounds.enumerated() where point < bound {
            return route.targets[index]
        }
        return route.targets[route.targets.count - 1]
    }
}
