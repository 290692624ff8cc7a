import BatchProtocol
import Foundation
import InferenceProtocol
import Kafka
import Logging
import PlatformStore

/// Accepts a batch job: validates it, creates its `batch_jobs` row, and publishes one message
/// per item on the requests topic (key = job id), a chunk at a time (``BatchIntake``).
///
/// When the items cannot all be published the job is marked failed and the call throws
/// `publishFailed`.
///
/// Give it a producer built with ``producerProperties``: with the default key hash every item of
/// a job lands on one partition, so one worker would run the whole job.
public struct BatchSubmitter: Sendable {
    /// Producer properties for submitting: `partitioner=random` spreads a job's items over all
    /// partitions (the key still carries the job id), so every worker of the group shares a job.
    public static let producerProperties: [String: String] = ["partitioner": "random"]

    let store: BatchJobStore
    let producer: KafkaProducer
    let topic: String
    let maxItems: Int
    let chunkSize: Int
    let publishConcurrency: Int
    let logger: Logger

    /// Creates a submitter publishing through `producer` (which must be running).
    ///
    /// - Parameters:
    ///   - maxItems: the most items one job may have.
    ///   - chunkSize: items admitted and published together; the admission hook is charged per
    ///     chunk, so keep it at or below the smallest rate-limit burst.
    public init(
        store: BatchJobStore, producer: KafkaProducer, topic: String = "inference.batch.requests",
        maxItems: Int = 100_000, chunkSize: Int = 100, publishConcurrency: Int = 512, logger: Logger
    ) {
        self.store = store
        self.producer = producer
        self.topic = topic
        self.maxItems = maxItems
        self.chunkSize = max(1, chunkSize)
        self.publishConcurrency = max(1, publishConcurrency)
        self.logger = logger
    }

    /// Starts a job whose items are added one by one (``BatchIntake``); `header` gives the
    /// model, version, callback and prefix (its items are ignored).
    ///
    /// - Parameters:
    ///   - owner: the submitting principal's id; only it (and an administrator) sees the job.
    ///   - admit: charged before each chunk is published; nil admits everything.
    /// - Throws: ``BatchWorkerError`` `invalidSubmission` when the header itself is invalid.
    public func intake(
        for header: BatchSubmission, owner: String?, admit: BatchAdmission? = nil
    ) throws(BatchWorkerError) -> BatchIntake {
        if let problem = BatchFieldRules.nameProblem(header.model, field: "model") { throw .invalidSubmission(problem) }
        if let version = header.version, let problem = BatchFieldRules.nameProblem(version, field: "version") {
            throw .invalidSubmission(problem)
        }
        if let callback = header.callbackURL, let problem = BatchFieldRules.callbackURLProblem(callback) {
            throw .invalidSubmission(problem)
        }
        if let owner, let problem = BatchFieldRules.ownerProblem(owner) { throw .invalidSubmission(problem) }
        return BatchIntake(submitter: self, header: header, owner: owner, admit: admit)
    }

    /// Validates and accepts `submission` as a whole; returns the new job's id once every item is
    /// on Kafka.
    ///
    /// Throws ``BatchWorkerError`` `invalidSubmission` for a submission that cannot be accepted.
    public func submit(
        _ submission: BatchSubmission, owner: String? = nil, admit: BatchAdmission? = nil
    ) async throws -> UUID {
        var intake = try intake(for: submission, owner: owner, admit: admit)
        try precheck(submission)
        do {
            for (index, item) in submission.items.enumerated() {
                try await intake.add(item, label: "items[\(index)]")
            }
            let total = try await intake.finish()
            logger.info(
                "batch.submit.accepted",
                metadata: [BatchLogKey.jobID: "\(intake.jobID)", BatchLogKey.items: "\(total)"])
            return intake.jobID
        } catch let error as BatchWorkerError where error.isInvalidSubmission {
            await intake.abandon(reason: error.reason)
            throw error
        }
    }

    /// Checks every item before anything is published, so a whole submission with a bad item
    /// leaves no job behind.
    private func precheck(_ submission: BatchSubmission) throws(BatchWorkerError) {
        guard !submission.items.isEmpty else { throw .invalidSubmission("a batch needs at least one item") }
        guard submission.items.count <= maxItems else {
            throw .invalidSubmission("a batch may have at most \(maxItems) items")
        }
        var seen = Set<String>()
        let probeJob = UUID()
        for (index, item) in submission.items.enumerated() {
            guard seen.insert(item.id).inserted else {
                throw .invalidSubmission(
                    "items[\(index)]: item id '\(String(item.id.prefix(64)))' appears more than once")
            }
            do {
                try BatchItemMessage(
                    jobID: probeJob, itemID: item.id, model: submission.model, version: submission.version,
                    request: item.request, outputPrefix: submission.outputPrefix
                ).validate()
            } catch {
                throw .invalidSubmission("items[\(index)]: \(error.reason)")
            }
        }
    }

    /// Publishes `messages` to `topic` (a priority's requests topic), at most
    /// `publishConcurrency` awaiting acknowledgement at once.
    func publish(_ messages: [[UInt8]], key: [UInt8], topic: String) async throws {
        guard !messages.isEmpty else { return }
        // The submitter's trace context travels with every item to the worker (tracing on only).
        var trace: [(name: String, value: String)] = []
        TraceContext.inject(into: &trace)
        let headers = trace.map { KafkaHeader(name: $0.name, value: Array($0.value.utf8)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for value in messages {
                if running >= publishConcurrency {
                    try await group.next()
                    running -= 1
                }
                group.addTask { _ = try await producer.send(topic: topic, key: key, value: value, headers: headers) }
                running += 1
            }
            try await group.waitForAll()
        }
    }
}
