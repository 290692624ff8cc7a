import TritonClient
import Foundation
import HTTPTypes
import Hummingbird
import KServeHTTP
import Logging
import Prometheus
import Routing
import ServiceLifecycle

/// Builds the router process: the model router, its health monitor, the routes watcher and the
/// HTTP application (KServe v2, `/admin`, `/metrics`).
public enum RouterApplication {
    /// Everything the router process runs, ready for one `ServiceGroup`.
    public struct Parts: Sendable {
        /// The orchestrator.
        public let router: ModelRouter
        /// Services to run, in dependency order (probes, watcher, HTTP server last).
        public let services: [any Service]
    }

    /// Builds the parts from settings; backends are called through clients made by `connector`,
    /// whose transport the caller shuts down after running the parts.
    public static func build(
        settings: RouterSettings,
        connector: TritonConnector,
        registry: PrometheusCollectorRegistry,
        logger: Logger
    ) throws -> Parts {
        let adminToken = try settings.adminToken()
        if adminToken == nil {
            logger.warning(
                "router.admin.disabled", metadata: ["reason": "no ROUTER_ADMIN_TOKEN or ROUTER_ADMIN_TOKEN_FILE"])
        }
        let spec = try settings.loadSpec()
        let router = try ModelRouter(
            backends: spec.backends, routes: spec.routes, configuration: settings.routing,
            connector: connector,
            logger: logger)
        let app = Application(
            router: httpRouter(
                router: router, registry: registry, maxBodyBytes: settings.maxBodyBytes, adminToken: adminToken),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "triton-router"),
            logger: logger)
        var services: [any Service] = [HealthMonitor(router: router)]
        if let file = settings.routesFile {
            services.append(
                RouteFileWatcher(path: file, router: router, interval: settings.reloadInterval, logger: logger))
        }
        services.append(app)
        return Parts(router: router, services: services)
    }

    /// The HTTP routes of the router process: KServe v2 (unauthenticated, an internal surface),
    /// `/admin` behind `adminToken` (nil: admin refused), `/metrics`.
    public static func httpRouter(
        router: ModelRouter, registry: PrometheusCollectorRegistry, maxBodyBytes: Int, adminToken: AdminToken?
    ) -> Router<BasicRequestContext> {
        let http = Router()
        http.add(middleware: MetricsMiddleware())
        KServeRoutes<BasicRequestContext>(upstream: router, maxBodyBytes: maxBodyBytes).register(on: http)
        AdminRoutes<BasicRequestContext>(router: router, token: adminToken).register(on: http)
        http.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return http
    }
}
