import Logging
import PostgresClient
import RouterApp
import Routing
import ServiceLifecycle
import TritonClient

extension GatewayApplication {
    /// The router linked into the gateway, and the services that keep it current: health probes,
    /// queue readings (for `least_queue` routes), the routes file, and, with the gateway's
    /// PostgreSQL, the routes every router replica shares (``SharedRoutes``), so a route change
    /// made on any router reaches this gateway too.
    static func inProcessRouter(
        _ routerSettings: RouterSettings, connector: TritonConnector, pool: PostgresPool?, postgresURL: String?,
        logger: Logger
    ) throws -> (router: ModelRouter, services: [any Service], shared: SharedRoutes?) {
        let spec = try routerSettings.loadSpec()
        let router = try ModelRouter(
            backends: spec.backends, routes: spec.routes, configuration: routerSettings.routing,
            connector: connector, logger: logger)
        var services: [any Service] = [HealthMonitor(router: router)]
        if router.readsQueues { services.append(QueueMonitor(router: router)) }
        if let file = routerSettings.routesFile {
            services.append(
                RouteFileWatcher(path: file, router: router, interval: routerSettings.reloadInterval, logger: logger))
        }
        var shared: SharedRoutes?
        if let pool, let postgresURL {
            let routes = SharedRoutes(
                router: router, pool: pool, postgresURL: postgresURL,
                applicationName: "triton-gateway-route-changes", logger: logger)
            services.append(routes)
            shared = routes
        }
        return (router, services, shared)
    }
}
