import Foundation
import Kafka
import Logging
import PlatformStore

/// Accepts a batch job: validates it, creates its `batch_jobs` row, and publishes one message
/// per item on the requests topic (key = job id).
///
/// The row is written first, with the total, so the worker can complete the job; when the items
/// cannot all be published the job is marked failed and the call throws `publishFailed`.
///
/// Give it a producer built with ``producerProperties``: with the default key hash every item of
/// a job lands on one partition, so one worker would run the whole job.
public struct BatchSubmitter: Sendable {
    /// Producer properties for submitting: `partitioner=random` spreads a job's items over all
    /// partitions (the key still carries the job id), so every worker of the group shares a job.
    public static let producerProperties: [String: String] = ["partitioner": "random"]

    private let store: BatchJobStore
    private let producer: KafkaProducer
    private let topic: String
    private let maxItems: Int
    private let publishConcurrency: Int
    private let logger: Logger

    /// Creates a submitter publishing through `producer` (which must be running).
    public init(
        store: BatchJobStore, producer: KafkaProducer, topic: String = "inference.batch.requests",
        maxItems: Int = 100_000, publishConcurrency: Int = 512, logger: Logger
    ) {
        self.store = store
        self.producer = producer
        self.topic = topic
        self.maxItems = maxItems
        self.publishConcurrency = max(1, publishConcurrency)
        self.logger = logger
    }

    /// Validates and accepts `submission`; returns the new job's id once every item is on Kafka.
    ///
    /// Throws ``BatchWorkerError`` `invalidSubmission` for a submission that cannot be accepted.
    public func submit(_ submission: BatchSubmission) async throws -> UUID {
        try validate(submission)
        let jobID = UUID()
        let messages = try submission.items.map { item in
            try BatchItemMessage(
                jobID: jobID, itemID: item.id, model: submission.model, version: submission.version,
                request: item.request, outputPrefix: submission.outputPrefix
            ).encoded()
        }
        try await store.createJob(
            id: jobID, model: submission.model, version: submission.version, total: messages.count,
            callbackURL: submission.callbackURL, outputPrefix: submission.outputPrefix)
        do {
            try await publish(messages, key: Array(jobID.uuidString.lowercased().utf8))
        } catch {
            logger.error("batch.submit.publish_failed", metadata: [LogKey.jobID: "\(jobID)", LogKey.error: "\(error)"])
            _ = try? await store.fail(jobID, error: "the items could not all be published")
            throw BatchWorkerError.publishFailed("the items could not all be published to Kafka")
        }
        logger.info("batch.submit.accepted", metadata: [LogKey.jobID: "\(jobID)", LogKey.items: "\(messages.count)"])
        return jobID
    }

    /// Checks the submission as a whole and each item's own fields.
    public func validate(_ submission: BatchSubmission) throws(BatchWorkerError) {
        guard !submission.items.isEmpty else { throw .invalidSubmission("a batch needs at least one item") }
        guard submission.items.count <= maxItems else {
            throw .invalidSubmission("a batch may have at most \(maxItems) items")
        }
        if let callback = submission.callbackURL {
            guard let url = URL(string: callback), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else { throw .invalidSubmission("callback_url must be an http or https URL") }
        }
        var seen = Set<String>()
        seen.reserveCapacity(submission.items.count)
        let probeJob = UUID()
        for item in submission.items {
            guard seen.insert(item.id).inserted else {
                throw .invalidSubmission("item id '\(String(item.id.prefix(64)))' appears more than once")
            }
            do {
                try BatchItemMessage(
                    jobID: probeJob, itemID: item.id, model: submission.model, version: submission.version,
                    request: item.request, outputPrefix: submission.outputPrefix
                ).validate()
            } catch {
                throw .invalidSubmission("item '\(String(item.id.prefix(64)))': \(error.reason)")
            }
        }
    }

    private func publish(_ messages: [[UInt8]], key: [UInt8]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for value in messages {
                if running >= publishConcurrency {
                    try await group.next()
                    running -= 1
                }
                group.addTask { _ = try await producer.send(topic: topic, key: key, value: value) }
                running += 1
            }
            try await group.waitForAll()
        }
    }
}
