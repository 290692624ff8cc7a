import ObjectStore
import Foundation
import Hummingbird
import InferenceProtocol
import KServeGRPC
import KServeHTTP
import Logging
import Metrics
import PlatformStore
import PostgresClient
import Prometheus
import RateLimiting
import RedisClient
import RouterApp
import Routing
import ServiceLifecycle
import TritonClient

/// The gateway process: authentication, rate limits and validation in front of a KServe v2
/// upstream (the router over HTTP, or linked in).
///
/// ```swift
/// let gateway = try await GatewayApplication.build(
///     settings: settings, connector: TritonConnector(transport: transport),
///     storage: S3Connector(transport: transport), registry: registry, logger: logger)
/// try await gateway.application.runService()
/// await gateway.shutdown()
/// ```
public struct GatewayApplication {
    /// The Hummingbird application; its services include the Redis client and, in-process, the
    /// router's health monitor and routes watcher.
    public var application: Application<RouterResponder<GatewayRequestContext>>
    /// The metadata cache used for validation.
    public let metadata: ModelMetadataCache
    /// The gRPC listener, when `gateway.grpc.port` is set.
    public let grpc: GRPCFrontDoor?
    private let redis: RedisClient
    private let pool: PostgresPool?

    /// Closes what the application opened (Redis connections, the PostgreSQL pool). Call after
    /// the application has stopped; the caller shuts its own transport down.
    public func shutdown() async {
        await redis.shutdown()
        await pool?.shutdown()
    }

    /// Builds the gateway.
    ///
    /// - Parameters:
    ///   - settings: the gateway's settings; `redisURL` is required.
    ///   - routerSettings: the router's settings, used when `settings.upstream` is in-process.
    ///   - connector: makes the clients for the upstream (a remote router, or the in-process
    ///     router's backends); the caller owns and shuts down its transport.
    ///   - storage: makes the S3 client that reads batch results (when configured).
    ///   - registry: the Prometheus registry served at `/metrics`.
    ///   - metricsFactory: where the gateway's series go; default the process-wide factory.
    ///   - logger: the application's logger (request ids are added per request).
    /// - Throws: ``GatewayConfigurationError`` for unusable settings, including a secret shipped
    ///   in the repository (``ExampleSecrets``) or authentication turned off
    ///   (``AuthSettings/disabled``) outside the local stack.
    public static func build(
        settings: GatewaySettings,
        routerSettings: RouterSettings? = nil,
        connector: TritonConnector,
        storage: S3Connector,
        registry: PrometheusCollectorRegistry,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) async throws -> GatewayApplication {
        try ExampleSecrets.check(settings)
        try settings.auth.check(platformEnvironment: settings.platformEnvironment)
        if settings.auth.disabled {
            logger.warning("gateway.auth.disabled")
        }
        guard let redisURL = settings.redisURL else {
            throw GatewayConfigurationError("gateway.redis.url (or REDIS_URL) is required for rate limiting")
        }
        let redisConfiguration: RedisConfiguration
        do {
            redisConfiguration = try RedisConfiguration(url: redisURL)
        } catch {
            throw GatewayConfigurationError("gateway.redis.url is not a valid redis:// URL: \(error.message)")
        }
        let redis = RedisClient(configuration: redisConfiguration, logger: logger)
        let limiter = RateLimiter(
            client: redis,
            configuration: RateLimiterConfiguration(
                keys: RateLimitKeys(prefix: settings.rateLimit.keyPrefix), failureMode: settings.rateLimit.failureMode),
            logger: logger, metricsFactory: metricsFactory)

        let pool = settings.postgresURL.map {
            PostgresPool(
                configuration: PostgresConfiguration(
                    connectionString: $0, poolSize: settings.postgresPoolSize,
                    leaseTimeout: settings.postgresLeaseTimeout),
                logger: logger)
        }
        let jwt: JWTVerifier
        do {
            jwt = try await JWTVerifier(settings: settings.jwt)
        } catch {
            await redis.shutdown()
            await pool?.shutdown()
            throw error
        }
        let apiKeys = pool.map {
            CachingAPIKeyStore(
                store: APIKeyStore(pool: $0), policy: settings.auth.apiKeyCachePolicy, metricsFactory: metricsFactory)
        }
        let authenticator = Authenticator(
            jwt: jwt, apiKeys: apiKeys,
            failures: AuthFailureLimiter(limiter: limiter, policy: settings.auth.failures))

        var services: [any Service] = [RedisService(client: redis)]
        // Key changes pushed by PostgreSQL reach the cache within a second, on a connection of
        // their own (outside the pool, so a busy pool never delays them).
        var keyChanges: APIKeyChangeListener?
        if let url = settings.postgresURL, let apiKeys, !settings.auth.disabled {
            let listener = PostgresListener(
                configuration: .init(
                    connection: PostgresConfiguration(
                        connectionString: url, poolSize: 1, applicationName: "triton-gateway-key-changes"),
                    channel: PlatformMigrations.apiKeyChangesChannel),
                logger: logger)
            let service = APIKeyChangeListener(
                listener: listener, keys: apiKeys, metricsFactory: metricsFactory, logger: logger)
            services.append(service)
            keyChanges = service
        }
        let base: any KServeUpstream
        var sharedRoutes: SharedRoutes?
        switch settings.upstream {
        case .http(let url):
            var client = connector.client(baseURL: url, defaultTimeout: settings.upstreamTimeout)
            // The router puts the deadline into Triton's `timeout` at the last hop.
            client.setsTritonTimeout = false
            base = client
        case .inProcess:
            guard let routerSettings else {
                throw GatewayConfigurationError("the in-process upstream needs the router settings (router.* keys)")
            }
            let linked = try inProcessRouter(
                routerSettings, connector: connector, pool: pool, postgresURL: settings.postgresURL, logger: logger)
            services += linked.services
            sharedRoutes = linked.shared
            base = linked.router
        }
        let metadata = ModelMetadataCache(upstream: base, ttl: settings.metadataTTL)
        let upstream = ValidatingUpstream(base: base, metadata: metadata)

        var accessLogger = Logger(label: "gateway.access")
        accessLogger.logLevel = logger.logLevel
        let router = Router(context: GatewayRequestContext.self)
        // A server span per request continuing the client's W3C trace context (tracing on only).
        if TraceContext.isEnabled { router.add(middleware: TracingMiddleware()) }
        router.add(
            middleware: ObservationMiddleware(
                metrics: GatewayMetrics(factory: metricsFactory), models: metadata, accessLogger: accessLogger))
        if !settings.auth.disabled {
            router.add(
                middleware: AuthenticationMiddleware(
                    authenticator: authenticator, clientAddressHeader: settings.auth.clientAddressField))
        }
        router.add(middleware: ModelNameMiddleware())
        if !settings.auth.disabled {
            router.add(middleware: RateLimitMiddleware(limiter: limiter, settings: settings.rateLimit))
        }
        router.add(
            middleware: ContentPolicyMiddleware(
                maxBodyBytes: settings.maxBodyBytes, maxImageBytes: settings.maxImageBytes))
        KServeRoutes<GatewayRequestContext>(upstream: upstream, maxBodyBytes: settings.maxBodyBytes).register(
            on: router)
        ClassifyRoutes(upstream: upstream, metadata: metadata, maxImageBytes: settings.maxImageBytes).register(
            on: router)
        ModelListRoutes(upstream: base).register(on: router)
        if let brokers = settings.kafkaBrokers, !brokers.isEmpty, let pool {
            services.append(
                try registerBatchRoutes(
                    on: router, brokers: brokers, pool: pool, limiter: limiter, storage: storage,
                    settings: settings, logger: logger))
        }
        var redisGatesReadiness = true
        if case .open = settings.rateLimit.failureMode { redisGatesReadiness = false }
        OperationalRoutes(
            redis: redis, redisGatesReadiness: redisGatesReadiness, upstream: base, registry: registry,
            openAPIDocument: FileManager.default.contents(atPath: settings.openAPIFile)
        ).register(on: router)

        var grpc: GRPCFrontDoor?
        if let grpcPort = settings.grpcPort {
            let policy: any GRPCCallPolicy =
                settings.auth.disabled
                ? AdmitAllCalls()
                : GatewayGRPCPolicy(
                    authenticator: authenticator, limiter: limiter, settings: settings.rateLimit, logger: logger)
            let frontDoor = GRPCFrontDoor(
                host: settings.host, port: grpcPort, maxMessageBytes: settings.maxBodyBytes,
                services: [
                    InferenceGRPCService(
                        upstream: upstream, policy: policy,
                        observer: GRPCCallObserver(factory: metricsFactory, accessLogger: accessLogger), logger: logger),
                    HealthGRPCService(upstream: base),
                ],
                logger: logger)
            services.append(frontDoor)
            grpc = frontDoor
        }
        var application = Application(
            router: router,
            server: .http1OnEventLoop(),
            configuration: .init(
                address: .hostname(settings.host, port: settings.port), serverName: "inference-gateway"),
            services: services,
            logger: logger)
        if let pool, settings.migrateOnStart {
            application.beforeServerStarts {
                let applied = try await Migrator(pool: pool, logger: logger).apply(PlatformMigrations.all)
                logger.info("gateway.migrations.applied", metadata: ["migrations.versions": "\(applied)"])
            }
        }
        if let sharedRoutes {
            application.beforeServerStarts { await sharedRoutes.loadAtStart() }
        }
        if let keyChanges {
            // Serving only once key changes are pushed means no key is cached before a revocation
            // of it would be heard; a database that does not answer delays the start by 5 s at most.
            application.beforeServerStarts {
                if !(try await keyChanges.waitUntilListening(timeout: .seconds(5))) {
                    logger.warning("gateway.auth.key_change_listener_not_ready")
                }
            }
        }
        return GatewayApplication(
            application: application, metadata: metadata, grpc: grpc, redis: redis, pool: pool)
    }
}

/// Keeps the Redis client open while the application runs and closes it on shutdown.
struct RedisService: Service {
    let client: RedisClient

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await client.run()
        }
    }
}
