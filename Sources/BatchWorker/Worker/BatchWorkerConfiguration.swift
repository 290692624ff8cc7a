import BatchProtocol
import Resilience
/// How the batch worker consumes, batches, retries and reports.
///
/// Every field has a documented default; ``BatchWorkerSettings`` reads them from configuration.
public struct BatchWorkerConfiguration: Sendable {
    /// The base (normal priority) topic items are read from. Default `inference.batch.requests`;
    /// the other priorities' topics are named after it (``BatchPriority/topic(base:)``).
    public var requestsTopic: String

    /// Every priority's requests topic, which the worker consumes.
    public var requestTopics: [String] { BatchPriority.allCases.map { $0.topic(base: requestsTopic) } }
    /// The dead-letter topic. Default `inference.batch.dlq`.
    public var deadLetterTopic: String
    /// The job events topic. Default `inference.batch.events`.
    public var eventsTopic: String
    /// The bucket outputs are written to (for `s3://` URIs).
    public var bucket: String
    /// The key prefix of outputs when a job names none. Default `batch`.
    public var outputPrefix: String
    /// How long a partial batch waits for more items. Default 5 ms.
    public var linger: Duration
    /// The most items read and not yet committed. Default 1024.
    public var maxInFlightItems: Int
    /// The most groups of batches (see ``maxGroupItems``) being inferred and written at once.
    /// Default 8.
    public var maxConcurrentBatches: Int
    /// Triton batches are written together: their succeeded items as one shard per job, their
    /// rows in one transaction, up to this many items. Default 128.
    public var maxGroupItems: Int
    /// How long a group of batches waits for more; at least ``linger``. Default 10 ms.
    public var groupLinger: Duration
    /// How often finished offsets are committed. Default 200 ms.
    public var commitInterval: Duration
    /// How long a job's status (cancelled or not) is cached. Default 1 s.
    public var jobStatusTTL: Duration
    /// How transient failures are retried, while consumption is paused.
    public var retry: Backoff
    /// The attempt budget of each step of an item (inference, output write, row write): after
    /// this many transient failures the dependency's health check decides. Up: the item is
    /// failed (`attempts_exhausted`) and dead-lettered. Down: it waits out the outage. Default 5.
    public var maxAttempts: Int

    /// Creates a configuration; every argument but `bucket` has the documented default.
    public init(
        bucket: String,
        requestsTopic: String = "inference.batch.requests",
        deadLetterTopic: String = "inference.batch.dlq",
        eventsTopic: String = "inference.batch.events",
        outputPrefix: String = "batch",
        linger: Duration = .milliseconds(5),
        maxInFlightItems: Int = 1024,
        maxConcurrentBatches: Int = 8,
        maxGroupItems: Int = 128,
        groupLinger: Duration = .milliseconds(10),
        commitInterval: Duration = .milliseconds(200),
        jobStatusTTL: Duration = .seconds(1),
        retry: Backoff = Backoff(),
        maxAttempts: Int = 5
    ) {
        self.bucket = bucket
        self.requestsTopic = requestsTopic
        self.deadLetterTopic = deadLetterTopic
        self.eventsTopic = eventsTopic
        self.outputPrefix = outputPrefix
        self.linger = linger
        self.maxInFlightItems = maxInFlightItems
        self.maxConcurrentBatches = maxConcurrentBatches
        self.maxGroupItems = max(1, maxGroupItems)
        self.groupLinger = groupLinger
        self.commitInterval = commitInterval
        self.jobStatusTTL = jobStatusTTL
        self.retry = retry
        self.maxAttempts = max(1, maxAttempts)
    }
}
