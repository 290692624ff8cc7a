import BatchAPI
import Hummingbird
import InferenceProtocol
import Kafka
import Logging
import ObjectStore
import PlatformStore
import PostgresClient
import RateLimiting

extension GatewayApplication {
    /// Mounts the batch APIs: `/v1/batches` always, the OpenAI Batch API when the worker's bucket
    /// is configured (it reads results from there). Returns the Kafka producer they publish
    /// through, a service for the application to run.
    static func registerBatchRoutes(
        on router: Router<GatewayRequestContext>, brokers: String, pool: PostgresPool, limiter: RateLimiter,
        storage: S3Connector, settings: GatewaySettings, logger: Logger
    ) throws -> KafkaProducer {
        // Batch submission: the access policy already requires scope `batch` on /v1/batches.
        var kafka = KafkaConfiguration(brokers: brokers, clientID: "gateway")
        kafka.properties.merge(BatchSubmitter.producerProperties) { _, batch in batch }
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let store = BatchJobStore(pool: pool)
        let submitter = BatchSubmitter(store: store, producer: producer, topic: settings.batchTopic, logger: logger)
        // Each job belongs to its submitter (`key:…` or `jwt:…`); `admin` sees every job.
        let admission = BatchItemAdmission(limiter: limiter, policy: settings.rateLimit.batchItems)
        var results: BatchResultReader?
        if let outputs = settings.batchOutputs {
            results = BatchResultReader(objects: try storage.client(configuration: outputs, logger: logger))
        }
        let authorize: BatchRoutes<GatewayRequestContext>.Authorize = { _, context in
            guard let principal = context.principal else {
                throw InferenceError.unauthenticated("the batch API needs a principal")
            }
            return BatchCaller(owner: principal.rateLimitIdentity, seesAllJobs: principal.scopes.contains(.admin))
        }
        let admit: BatchAdmission = { owner, items in try await admission.admit(owner: owner, items: items) }
        BatchRoutes<GatewayRequestContext>(
            submitter: submitter, store: store, maxBodyBytes: settings.maxBodyBytes, admit: admit, results: results,
            authorize: authorize
        ).register(on: router)
        if let results {
            OpenAIBatchRoutes<GatewayRequestContext>(
                submitter: submitter, store: store, results: results, maxFileBytes: settings.maxBodyBytes,
                admit: admit, authorize: authorize
            ).register(on: router)
        }
        return producer
    }
}
