import BatchProtocol
import Configuration
import Kafka
import ObjectStore
import PostgresClient
import Resilience

/// The batch-worker process's settings, from the YAML file and the environment.
///
/// Connection keys are shared with the rest of the platform and match the local stack's
/// variables: `kafka.brokers` (`KAFKA_BROKERS`), `postgres.url` (`POSTGRES_URL`), `router.url`
/// (`ROUTER_URL`), `s3.endpoint`/`s3.bucket`/`s3.region` (`S3_*`), `aws.access_key_id` and
/// `aws.secret_access_key` (`AWS_*`). The worker's own keys are under `batch.` (e.g.
/// `batch.group_id` ← `BATCH_GROUP_ID`).
public struct BatchWorkerSettings: Sendable {
    /// Kafka brokers, comma-separated.
    public var brokers: String
    /// The consumer group. Default `batch-worker`.
    public var groupID: String
    /// librdkafka `session.timeout.ms`: how soon a dead worker's partitions move. Default 10000.
    public var sessionTimeoutMs: Int
    /// The KServe v2 endpoint items are sent to (the router).
    public var routerURL: String
    /// Limit of one inference call. Default 60 s.
    public var inferTimeout: Duration
    /// PostgreSQL connection string.
    public var postgresURL: String
    /// PostgreSQL connections. Default 8.
    public var postgresPoolSize: Int
    /// Where outputs go.
    public var s3: S3Configuration
    /// Address of the `/metrics` and `/health` listener; port 0 disables it. Default 127.0.0.1:9102.
    public var metricsHost: String
    /// See ``metricsHost``.
    public var metricsPort: Int
    /// The pipeline's own settings.
    public var worker: BatchWorkerConfiguration
    /// The deployment kind, `PLATFORM_ENV` (`platform.env`); only `local` (the local stack)
    /// accepts the secrets the repository ships.
    public var platformEnvironment: String?

    /// Reads the settings; missing keys take the documented defaults, missing connection keys are
    /// empty (and fail at start).
    public init(config: ConfigReader) {
        brokers = config.string(forKey: "kafka.brokers", default: "127.0.0.1:9092")
        routerURL = config.string(forKey: "router.url", default: "http://127.0.0.1:8001")
        postgresURL = config.string(forKey: "postgres.url", isSecret: true, default: "")
        platformEnvironment = config.string(forKey: "platform.env")
        // One retry layer: the worker's own (batch.retry.*, with its health checks and pause).
        s3 = BatchStorageSettings.s3(from: config, retry: .none)

        let batch = config.scoped(to: "batch")
        groupID = batch.string(forKey: "group_id", default: "batch-worker")
        sessionTimeoutMs = batch.int(forKey: "session_timeout_ms", default: 10_000)
        inferTimeout = .milliseconds(batch.int(forKey: "infer_timeout_ms", default: 60_000))
        postgresPoolSize = batch.int(forKey: "postgres_pool_size", default: 8)
        metricsHost = batch.string(forKey: "metrics.host", default: "127.0.0.1")
        metricsPort = batch.int(forKey: "metrics.port", default: 9102)

        var worker = BatchWorkerConfiguration(bucket: s3.bucket)
        worker.requestsTopic = batch.string(forKey: "topics.requests", default: worker.requestsTopic)
        worker.deadLetterTopic = batch.string(forKey: "topics.dlq", default: worker.deadLetterTopic)
        worker.eventsTopic = batch.string(forKey: "topics.events", default: worker.eventsTopic)
        worker.outputPrefix = batch.string(forKey: "output_prefix", default: worker.outputPrefix)
        worker.linger = .milliseconds(batch.int(forKey: "linger_ms", default: 5))
        worker.maxInFlightItems = batch.int(forKey: "max_inflight_items", default: worker.maxInFlightItems)
        worker.maxConcurrentBatches = batch.int(forKey: "max_concurrent_batches", default: worker.maxConcurrentBatches)
        worker.maxGroupItems = batch.int(forKey: "max_group_items", default: worker.maxGroupItems)
        worker.groupLinger = .milliseconds(batch.int(forKey: "group_linger_ms", default: 10))
        worker.commitInterval = .milliseconds(batch.int(forKey: "commit_interval_ms", default: 200))
        worker.jobStatusTTL = .milliseconds(batch.int(forKey: "job_status_ttl_ms", default: 1000))
        worker.retry = Backoff(
            initial: .milliseconds(batch.int(forKey: "retry.initial_ms", default: 100)),
            maximum: .milliseconds(batch.int(forKey: "retry.max_ms", default: 5000)))
        worker.maxAttempts = max(1, batch.int(forKey: "retry.max_attempts", default: worker.maxAttempts))
        self.worker = worker
    }

    /// The consumer's Kafka configuration: manual commits, a buffer as large as the items in
    /// flight, the priorities' topics weighted.
    public var consumerConfiguration: KafkaConfiguration {
        var configuration = KafkaConfiguration(brokers: brokers, clientID: "batch-worker", groupID: groupID)
        configuration.consumerBufferCapacity = max(64, worker.maxInFlightItems)
        configuration.topicWeights = BatchPriority.topicWeights(base: worker.requestsTopic)
        configuration.properties["session.timeout.ms"] = String(sessionTimeoutMs)
        configuration.properties["heartbeat.interval.ms"] = String(max(500, sessionTimeoutMs / 4))
        return configuration
    }

    /// The producer's Kafka configuration (dead letters and events).
    public var producerConfiguration: KafkaConfiguration {
        KafkaConfiguration(brokers: brokers, clientID: "batch-worker")
    }

    /// The PostgreSQL pool's configuration.
    public var postgresConfiguration: PostgresConfiguration {
        PostgresConfiguration(
            connectionString: postgresURL, poolSize: postgresPoolSize, applicationName: "batch-worker")
    }
}
