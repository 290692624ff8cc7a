import Foundation

extension ModelRouter {
    /// Every backend with its health, breaker state, outstanding requests and latency.
    public func backendStatuses() -> [BackendStatus] {
        withState { $0.snapshot(now: .now) }
    }

    /// The routes in force, sorted by model.
    public func routes() -> [ModelRoute] {
        withState { $0.routes.routes }
    }

    /// Validates and applies one model's route at once; throws ``RouteValidationError``.
    public func upsertRoute(_ route: ModelRoute) throws {
        try route.validate()
        try withState { try $0.upsertRoute(route) }
        logger.notice("router.route.updated", metadata: ["model": "\(route.model)"])
    }

    /// Replaces the routes file's routes (a reload); shared routes stay in force over them.
    /// Requests in flight keep the targets they chose.
    public func replaceRoutes(_ routes: [ModelRoute]) throws {
        try layers.withLock { layers in
            var next = layers
            next.setFile(routes)
            try apply(next.effective)
            layers = next
        }
        logger.notice("router.routes.reloaded", metadata: ["routes.count": "\(routes.count)"])
    }

    /// Puts the routes every replica shares in force, at `version` (their newest change), over
    /// the routes file's; returns false when that version is in force already.
    @discardableResult
    public func applySharedRoutes(_ routes: [ModelRoute], version: Int64) throws -> Bool {
        let applied = try layers.withLock { layers in
            var next = layers
            guard next.setShared(routes, version: version) else { return false }
            try apply(next.effective)
            layers = next
            return true
        }
        if applied {
            logger.notice(
                "router.routes.shared_applied",
                metadata: ["routes.version": "\(version)", "routes.count": "\(routes.count)"])
        }
        return applied
    }

    /// The version of the shared routes in force; 0 when none.
    public var sharedRoutesVersion: Int64 {
        layers.withLock { $0.sharedVersion }
    }

    private func apply(_ routes: [ModelRoute]) throws {
        for route in routes { try route.validate() }
        try withState { try $0.replaceRoutes(routes) }
    }

    /// Every canary rollout's phase and percentage, by model.
    public func rolloutStatuses() -> [String: RolloutStatus] {
        withState { $0.rolloutStatuses() }
    }

    /// The breaker state of a backend by name (admin and tests).
    public func breakerState(of backend: BackendID) -> CircuitBreakerStateMachine.State? {
        withState { $0.breakerState(of: backend) }
    }
}
