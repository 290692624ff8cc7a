import BatchProtocol
import BatchAPI
import Configuration
import Foundation
import ObjectStore

/// The gateway process's settings: keys under `gateway.` in the YAML config, each overridable by
/// its environment name (`gateway.listen.port` ← `GATEWAY_LISTEN_PORT`).
///
/// A few keys fall back to the names the local stack exports (`REDIS_URL`, `POSTGRES_URL`,
/// `ROUTER_URL`, `JWT_HS256_SECRET`, `JWT_ISSUER`, `JWT_AUDIENCE`) when the `gateway.` key is unset.
public struct GatewaySettings: Sendable {
    /// Where requests go after the gateway's checks.
    public enum UpstreamMode: Sendable, Hashable {
        /// The router (or any KServe v2 endpoint) over HTTP, as in a split deployment.
        case http(url: String)
        /// The router linked into this process; its settings are read from the `router.` keys.
        case inProcess
    }

    /// Listen address. Default 127.0.0.1.
    public var host: String = "127.0.0.1"
    /// Listen port. Default 8080; 0 picks a free port.
    public var port: Int = 8080
    /// The gRPC listener's port on `host` (`gateway.grpc.port`, `GATEWAY_GRPC_PORT`): the KServe v2
    /// gRPC service and `grpc.health.v1`. Nil (unset) serves no gRPC; 0 picks a free port.
    public var grpcPort: Int?
    /// The upstream. Default the router over HTTP at `http://127.0.0.1:8001`.
    public var upstream: UpstreamMode = .http(url: "http://127.0.0.1:8001")
    /// Longest wait for the upstream when the client sets no deadline. Default 30 s.
    public var upstreamTimeout: Duration = .seconds(30)
    /// Largest request body accepted on the KServe v2 surface (413 above). Default 32 MiB.
    public var maxBodyBytes: Int = 32 << 20
    /// Largest image accepted by the classify endpoint (413 above). Default 8 MiB.
    public var maxImageBytes: Int = 8 << 20
    /// How long model metadata used for validation is cached per model and version. Default 30 s.
    public var metadataTTL: Duration = .seconds(30)
    /// Redis for rate limits, `redis://…`. No default: required.
    public var redisURL: String?
    /// PostgreSQL for API keys, `postgresql://…`; without it API keys are refused.
    public var postgresURL: String?
    /// Kafka bootstrap servers for batch submission (`gateway.kafka.brokers`, else `KAFKA_BROKERS`);
    /// without them `/v1/batches` is not served.
    public var kafkaBrokers: String?
    /// The topic batch items are published to. Default `inference.batch.requests`.
    public var batchTopic: String = "inference.batch.requests"
    /// The bucket the batch worker writes outputs to, read from the platform's `s3.*` and `aws.*`
    /// keys (``BatchStorageSettings``) when `s3.endpoint` (`S3_ENDPOINT`) is set; without it the
    /// batch output routes answer 503.
    public var batchOutputs: S3Configuration?
    /// Apply the platform's schema migrations before serving. Default true.
    public var migrateOnStart: Bool = true
    /// PostgreSQL connections (`postgres.pool_size`). Default 4.
    public var postgresPoolSize: Int = 4
    /// The longest wait for a PostgreSQL connection before a request gets 503
    /// (`postgres.lease_timeout_ms`). Default 2 s.
    public var postgresLeaseTimeout: Duration = .seconds(2)
    /// The deployment kind, `PLATFORM_ENV` (`platform.env`). Only `local` (set by the local
    /// stack) lets the gateway start with a secret shipped in the repository
    /// (``ExampleSecrets``).
    public var platformEnvironment: String?
    /// API-key cache, failed-authentication limits, client address.
    public var auth = AuthSettings()
    /// Rate limits.
    public var rateLimit = RateLimitSettings()
    /// JWT verification.
    public var jwt = JWTSettings()
    /// The OpenAPI document served at `/openapi.yaml`. Default `docs/openapi.yaml`.
    public var openAPIFile: String = "docs/openapi.yaml"

    /// Settings with every documented default (no Redis, no PostgreSQL, no JWT keys).
    public init() {}

    /// Reads the settings; missing keys take the documented defaults.
    public init(config: ConfigReader) {
        let gateway = config.scoped(to: "gateway")
        host = gateway.string(forKey: "listen.host", default: host)
        port = gateway.int(forKey: "listen.port", default: port)
        grpcPort = gateway.int(forKey: "grpc.port")
        let mode = gateway.string(forKey: "upstream.mode", default: "http")
        if mode == "in_process" {
            upstream = .inProcess
        } else {
            let url = gateway.string(forKey: "upstream.url") ?? config.string(forKey: "router.url")
            upstream = .http(url: url ?? "http://127.0.0.1:8001")
        }
        upstreamTimeout = .milliseconds(gateway.int(forKey: "upstream.timeout_ms", default: 30_000))
        maxBodyBytes = gateway.int(forKey: "max_body_bytes", default: maxBodyBytes)
        maxImageBytes = gateway.int(forKey: "max_image_bytes", default: maxImageBytes)
        metadataTTL = .milliseconds(gateway.int(forKey: "metadata_ttl_ms", default: 30_000))
        redisURL = gateway.string(forKey: "redis.url") ?? config.string(forKey: "redis.url")
        postgresURL = gateway.string(forKey: "postgres.url") ?? config.string(forKey: "postgres.url")
        kafkaBrokers = gateway.string(forKey: "kafka.brokers") ?? config.string(forKey: "kafka.brokers")
        batchTopic = gateway.string(forKey: "batch.topic", default: "inference.batch.requests")
        batchOutputs = BatchStorageSettings.s3IfConfigured(from: config, retry: S3RetryPolicy())
        migrateOnStart = gateway.bool(forKey: "postgres.migrate", default: true)
        postgresPoolSize = max(1, gateway.int(forKey: "postgres.pool_size", default: postgresPoolSize))
        postgresLeaseTimeout = .milliseconds(max(1, gateway.int(forKey: "postgres.lease_timeout_ms", default: 2000)))
        platformEnvironment = config.string(forKey: "platform.env")
        auth = AuthSettings(config: gateway.scoped(to: "auth"))
        openAPIFile = gateway.string(forKey: "openapi_file", default: openAPIFile)
        rateLimit = RateLimitSettings(config: gateway.scoped(to: "rate_limit"))
        jwt = JWTSettings(config: gateway.scoped(to: "auth.jwt"), fallback: config.scoped(to: "jwt"))
    }
}
