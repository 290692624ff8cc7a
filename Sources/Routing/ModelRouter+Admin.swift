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

    /// Replaces every route (a reload); requests in flight keep the targets they chose.
    public func replaceRoutes(_ routes: [ModelRoute]) throws {
        for route in routes { try route.validate() }
        try withState { try $0.replaceRoutes(routes) }
        logger.notice("router.routes.reloaded", metadata: ["routes.count": "\(routes.count)"])
    }

    /// The breaker state of a backend by name (admin and tests).
    public func breakerState(of backend: BackendID) -> CircuitBreakerStateMachine.State? {
        withState { $0.breakerState(of: backend) }
    }
}
