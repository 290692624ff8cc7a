import TritonClient
import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeGRPC
import KServeHTTP
import Logging
import PlatformStore
import PostgresClient
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
        /// The shared routes, when `router.postgres.url` is set.
        public let sharedRoutes: SharedRoutes?
        /// The gRPC listener, when `router.grpc.port` is set.
        public let grpc: GRPCFrontDoor?
        let pool: PostgresPool?

        /// Closes what the parts opened (the PostgreSQL pool); call after the services stopped.
        public func shutdown() async {
            await pool?.shutdown()
        }
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
        let pool = settings.postgresURL.map {
            PostgresPool(
                configuration: PostgresConfiguration(
                    connectionString: $0, poolSize: 2, applicationName: "triton-router"),
                logger: logger)
        }
        let shared = pool.map { pool in
            SharedRoutes(
                router: router, pool: pool, postgresURL: settings.postgresURL ?? "",
                applicationName: "triton-router-route-changes", logger: logger)
        }
        var app = Application(
            router: httpRouter(
                router: router, registry: registry, maxBodyBytes: settings.maxBodyBytes, adminToken: adminToken,
                sharedRoutes: shared),
            server: .http1OnEventLoop(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "triton-router"),
            logger: logger)
        var services: [any Service] = [HealthMonitor(router: router)]
        if router.readsQueues { services.append(QueueMonitor(router: router)) }
        if let file = settings.routesFile {
            services.append(
                RouteFileWatcher(path: file, router: router, interval: settings.reloadInterval, logger: logger))
        }
        if let pool, let shared {
            let store = RouteStore(pool: pool)
            let replica = ProcessInfo.processInfo.hostName
            router.observeCanaryDecisions { model, decision in
                Task {
                    do {
                        try await store.recordCanaryDecision(
                            model: model, action: decision.action, canaryPercent: decision.canaryPercent,
                            reason: decision.reason, decidedBy: replica)
                    } catch {
                        logger.warning(
                            "router.canary.audit_failed", metadata: ["model": "\(model)", "error": "\(error)"])
                    }
                }
            }
            services.append(shared)
            app.beforeServerStarts {
                await prepareSharedRoutes(shared, pool: pool, migrate: settings.migrateOnStart, logger: logger)
            }
        }
        var grpc: GRPCFrontDoor?
        if let grpcPort = settings.grpcPort {
            let frontDoor = GRPCFrontDoor(
                host: settings.host, port: grpcPort, maxMessageBytes: settings.maxBodyBytes,
                services: [
                    InferenceGRPCService(upstream: router, logger: logger), HealthGRPCService(upstream: router),
                ],
                logger: logger)
            services.append(frontDoor)
            grpc = frontDoor
        }
        services.append(app)
        return Parts(router: router, services: services, sharedRoutes: shared, grpc: grpc, pool: pool)
    }

    /// Before serving: the schema, then the stored routes in force. PostgreSQL not answering does
    /// not stop the router: it serves the routes file, and the shared routes follow once the
    /// listener connects.
    private static func prepareSharedRoutes(
        _ shared: SharedRoutes, pool: PostgresPool, migrate: Bool, logger: Logger
    ) async {
        if migrate {
            do {
                let applied = try await Migrator(pool: pool, logger: logger).apply(PlatformMigrations.all)
                logger.info("router.migrations.applied", metadata: ["migrations.versions": "\(applied)"])
            } catch {
                logger.warning("router.routes.shared_unavailable_at_start", metadata: ["error": "\(error)"])
                return
            }
        }
        await shared.loadAtStart()
    }

    /// The HTTP routes of the router process: KServe v2 (unauthenticated, an internal surface),
    /// `/admin` behind `adminToken` (nil: admin refused; route changes go through `sharedRoutes`
    /// when given), `/metrics`.
    public static func httpRouter(
        router: ModelRouter, registry: PrometheusCollectorRegistry, maxBodyBytes: Int, adminToken: AdminToken?,
        sharedRoutes: SharedRoutes? = nil
    ) -> Router<BasicRequestContext> {
        let http = Router()
        if TraceContext.isEnabled { http.add(middleware: TracingMiddleware()) }
        http.add(middleware: MetricsMiddleware())
        KServeRoutes<BasicRequestContext>(upstream: router, maxBodyBytes: maxBodyBytes).register(on: http)
        AdminRoutes<BasicRequestContext>(router: router, token: adminToken, shared: sharedRoutes).register(on: http)
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
