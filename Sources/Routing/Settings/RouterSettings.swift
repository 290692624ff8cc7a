import Configuration
import Foundation

/// The router process's settings: keys under `router.` in the YAML config, each overridable by
/// its environment name (`router.listen.port` ← `ROUTER_LISTEN_PORT`).
public struct RouterSettings: Sendable {
    /// Listen address. Default 127.0.0.1.
    public var host: String
    /// Listen port. Default 8001 in containers; the local stack sets 18081.
    public var port: Int
    /// The gRPC listener's port on `host` (`router.grpc.port`, `ROUTER_GRPC_PORT`): the KServe v2
    /// gRPC service and `grpc.health.v1`. Nil (unset) serves no gRPC; 0 picks a free port.
    public var grpcPort: Int?
    /// The routes file (backends and model routes), reloaded on change.
    public var routesFile: String?
    /// Backends as `name=url,…`, replacing the routes file's backends when set (`ROUTER_BACKENDS`).
    public var backendList: String?
    /// Backends' Prometheus endpoints as `name=url,…` (`ROUTER_BACKEND_METRICS`), added to the
    /// backends of those names (for the `least_queue` strategy).
    public var backendMetricsList: String?
    /// How often the routes file is checked. Default 2 s.
    public var reloadInterval: Duration
    /// Largest request body accepted. Default 64 MiB.
    public var maxBodyBytes: Int
    /// Resilience settings.
    public var routing: RouterConfiguration
    /// The admin API's bearer token (`ROUTER_ADMIN_TOKEN`); takes precedence over the file.
    public var adminTokenValue: String?
    /// A file holding the admin token (`ROUTER_ADMIN_TOKEN_FILE`, e.g. a mounted Secret).
    public var adminTokenFile: String?
    /// PostgreSQL holding the routes shared by every replica (`router.postgres.url`, else
    /// `postgres.url` / `POSTGRES_URL`); nil serves the routes file and admin changes locally only.
    public var postgresURL: String?
    /// Whether the router applies the platform's migrations at start. Default true.
    public var migrateOnStart: Bool
    /// The deployment kind (`PLATFORM_ENV`); only `local` (the local stack) accepts example tokens.
    public var platformEnvironment: String?

    /// Reads the settings; missing keys take the documented defaults.
    public init(config: ConfigReader) {
        let router = config.scoped(to: "router")
        host = router.string(forKey: "listen.host", default: "127.0.0.1")
        port = router.int(forKey: "listen.port", default: 8001)
        grpcPort = router.int(forKey: "grpc.port")
        routesFile = router.string(forKey: "routes.file")
        backendList = router.string(forKey: "backends")
        backendMetricsList = router.string(forKey: "backend_metrics")
        reloadInterval = .milliseconds(router.int(forKey: "routes.reload_interval_ms", default: 2000))
        maxBodyBytes = router.int(forKey: "max_body_bytes", default: 64 << 20)
        adminTokenValue = router.string(forKey: "admin.token", isSecret: true)
        adminTokenFile = router.string(forKey: "admin.token_file")
        platformEnvironment = config.string(forKey: "platform.env")
        postgresURL =
            router.string(forKey: "postgres.url", isSecret: true)
            ?? config.string(forKey: "postgres.url", isSecret: true)
        migrateOnStart = router.bool(forKey: "postgres.migrate", default: true)

        var routing = RouterConfiguration()
        let health = router.scoped(to: "health")
        routing.health.interval = .milliseconds(health.int(forKey: "interval_ms", default: 1000))
        routing.health.timeout = .milliseconds(health.int(forKey: "timeout_ms", default: 800))
        routing.health.unhealthyThreshold = health.int(forKey: "unhealthy_threshold", default: 2)
        routing.health.healthyThreshold = health.int(forKey: "healthy_threshold", default: 1)
        let breaker = router.scoped(to: "breaker")
        routing.breaker.consecutiveFailureThreshold = breaker.int(forKey: "consecutive_failures", default: 5)
        routing.breaker.failureRatioThreshold = breaker.double(forKey: "failure_ratio", default: 0.5)
        routing.breaker.minimumRequestsInWindow = breaker.int(forKey: "minimum_requests", default: 20)
        routing.breaker.openDuration = .milliseconds(breaker.int(forKey: "open_ms", default: 5000))
        let retries = router.scoped(to: "retries")
        routing.maxAttempts = retries.int(forKey: "max_attempts", default: 3)
        routing.retryBudget.ratio = retries.double(forKey: "budget_ratio", default: 0.2)
        routing.retryBudget.minRetriesPerSecond = retries.double(forKey: "min_per_second", default: 3)
        routing.defaultTimeout = .milliseconds(router.int(forKey: "timeout_ms", default: 30_000))
        let outlier = router.scoped(to: "outlier")
        routing.outlier.consecutiveFailures = outlier.int(forKey: "consecutive_failures", default: 5)
        routing.outlier.baseEjection = .milliseconds(outlier.int(forKey: "base_ejection_ms", default: 30_000))
        routing.queueInterval = .milliseconds(max(router.int(forKey: "queue.interval_ms", default: 500), 50))
        self.routing = routing
    }

    /// The backends and routes to start with: the routes file, with `backends` overriding.
    public func loadSpec() throws -> RoutingSpec {
        var spec = try routesFile.map(RoutingSpec.load(path:)) ?? RoutingSpec(backends: [], routes: [])
        if let backendList, !backendList.isEmpty { spec.backends = RoutingSpec.backends(fromList: backendList) }
        if let backendMetricsList, !backendMetricsList.isEmpty {
            let urls = RoutingSpec.backends(fromList: backendMetricsList)
            for index in spec.backends.indices {
                if let metrics = urls.first(where: { $0.id == spec.backends[index].id }) {
                    spec.backends[index].metricsURL = metrics.url
                }
            }
        }
        guard !spec.backends.isEmpty else {
            throw RoutingSpecError("no backends: set router.backends (ROUTER_BACKENDS) or list them in the routes file")
        }
        return spec
    }
}
