import ArgumentParser
import BatchWorker
import CurlHTTP
import Hummingbird
import Kafka
import Logging
import ObjectStore
import Platform
import PlatformStore
import PostgresClient
import Prometheus
import ServiceLifecycle
import TritonClient

/// `batch-worker`: consumes batch items from Kafka, runs them through the router in Triton
/// batches, writes outputs to S3 and rows to PostgreSQL, and commits only after both.
@main
struct BatchWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-worker",
        abstract: "Run batch inference items from Kafka through the router into S3 and PostgreSQL.")

    @Option(name: .long, help: "YAML configuration file; the environment overrides any key.")
    var config: String?

    func run() async throws {
        let process = try await ProcessBootstrap.start(configFile: config, label: "batch-worker")
        let (reader, registry, logger) = (process.config, process.registry, process.logger)
        let settings = BatchWorkerSettings(config: reader)
        let callbacks = CallbackDeliveryConfiguration(config: reader)
        try ShippedSecrets.refuse(
            [
                ("callback.signing_secret (CALLBACK_SIGNING_SECRET)", callbacks.signingSecret),
                ("aws.secret_access_key (AWS_SECRET_ACCESS_KEY)", settings.s3.secretAccessKey),
                (
                    "the password in postgres.url (POSTGRES_URL)",
                    ShippedSecrets.password(inConnectionString: settings.postgresURL)
                ),
            ],
            platformEnvironment: settings.platformEnvironment)

        let pool = PostgresPool(configuration: settings.postgresConfiguration, logger: logger)
        let inferenceTransport = CurlHTTPTransport()
        // One connection per output being written at once (batches in flight × their items).
        let storageTransport = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: 64))
        // Callbacks go to addresses clients chose: their own connections and DNS cache.
        let callbackTransport = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: 4))
        let transports = [inferenceTransport, storageTransport, callbackTransport]
        do {
            try await migrate(pool: pool, logger: logger)
            var services = try buildServices(
                settings: settings, pool: pool, inferenceTransport: inferenceTransport,
                storageTransport: storageTransport, registry: registry, logger: logger)
            services.append(
                try CallbackDeliveryService(
                    configuration: callbacks,
                    outbox: BatchJobStore(pool: pool).callbackOutbox, transport: callbackTransport, logger: logger))
            // The trace exporter first: it stops last, after the spans of the last items.
            if let tracing = process.tracing { services.insert(tracing, at: 0) }
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            logger.info(
                "batch.worker.starting",
                metadata: ["kafka.group": "\(settings.groupID)", "kafka.topics": "\(settings.worker.requestTopics)"])
            try await group.run()
        } catch {
            logger.error("batch.worker.failed", metadata: ["error": "\(error)"])
            await shutdown(pool, transports)
            throw error
        }
        await shutdown(pool, transports)
    }

    /// The services in start order: consumer and producer first, so they close after the worker;
    /// the callback delivery service runs beside them.
    private func buildServices(
        settings: BatchWorkerSettings, pool: PostgresPool, inferenceTransport: CurlHTTPTransport,
        storageTransport: CurlHTTPTransport, registry: PrometheusCollectorRegistry, logger: Logger
    ) throws -> [any Service] {
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration, topics: settings.worker.requestTopics, logger: logger)
        let producer = try KafkaProducer(configuration: settings.producerConfiguration, logger: logger)
        let worker = BatchWorker(
            configuration: settings.worker, consumer: consumer, producer: producer, store: BatchJobStore(pool: pool),
            objects: try S3Client(configuration: settings.s3, transport: storageTransport, logger: logger),
            inference: RouterInference(
                baseURL: settings.routerURL, connector: TritonConnector(transport: inferenceTransport),
                timeout: settings.inferTimeout),
            callbacks: CallbackNotifier(outbox: BatchJobStore(pool: pool).callbackOutbox),
            logger: logger)
        var services: [any Service] = [consumer, producer]
        if settings.metricsPort > 0 {
            services.append(metricsServer(settings: settings, registry: registry, consumer: consumer, logger: logger))
        }
        services.append(worker)
        return services
    }

    /// `/metrics` (Prometheus) and `/health` (200 once partitions are assigned, else 503).
    private func metricsServer(
        settings: BatchWorkerSettings, registry: PrometheusCollectorRegistry, consumer: KafkaConsumer, logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/health") { _, _ in
            let assigned = !consumer.assignment.isEmpty
            return Response(status: assigned ? .ok : .serviceUnavailable)
        }
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(settings.metricsHost, port: settings.metricsPort), serverName: "batch-worker"),
            logger: logger)
    }

    /// Applies the platform's migrations, waiting up to a minute for PostgreSQL to accept them.
    private func migrate(pool: PostgresPool, logger: Logger) async throws {
        var attempt = 0
        while true {
            do {
                _ = try await Migrator(pool: pool, logger: logger).apply(PlatformMigrations.all)
                return
            } catch let error as PostgresError where error.code == .connectionFailed && attempt < 30 {
                attempt += 1
                logger.warning("batch.worker.database_unavailable", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(2))
            }
        }
    }

    private func shutdown(_ pool: PostgresPool, _ transports: [CurlHTTPTransport]) async {
        await pool.shutdown()
        for transport in transports { await transport.shutdown() }
    }
}
