import BatchProtocol
import Foundation
import Kafka
import Logging
import ObjectStore
import PlatformStore
import ServiceLifecycle
import Synchronization

/// The batch pipeline: consume items, group them into Triton batches, infer, write each output to
/// S3 and its row to PostgreSQL, and commit offsets only after both.
///
/// Run it in a `ServiceGroup` after the ``KafkaConsumer`` and ``KafkaProducer`` it uses (so they
/// close after its last commit and dead letter). Graceful shutdown stops reading, finishes the
/// items in flight, commits, and returns; cancellation stops at once without a final commit, and
/// the uncommitted items are read again by the next owner of their partitions.
public final class BatchWorker: Service, Sendable {
    let configuration: BatchWorkerConfiguration
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let store: BatchJobStore
    let objects: S3Client
    let inference: any BatchInference
    let callbacks: CallbackNotifier
    let logger: Logger
    let metrics: BatchWorkerMetrics
    let environment: WorkerEnvironment

    let jobs: JobDirectory
    let permits: AsyncPermits
    let gate: DependencyGate
    let tracker = Mutex(OffsetTracker())
    let grouper: Mutex<BatchGrouper<BatchKey, WorkItem, ContinuousClock.Instant>>
    /// Model descriptions with when they were read; re-read after ``modelTTL``.
    let models = Mutex<[ModelKey: (description: ModelDescription, readAt: ContinuousClock.Instant)]>([:])
    /// How long a model's `max_batch_size` and metadata are trusted.
    let modelTTL = Duration.seconds(60)
    /// Models the router described: metric labels and canaries.
    let knownModels: KnownModels
    /// Jobs whose completion this process has announced (manifest, event, callback).
    let finalized = Mutex<Set<UUID>>([])
    private let finishedCount = Atomic<Int>(0)
    private let exhaustedCount = Atomic<Int>(0)
    private let downCount = Atomic<Int>(0)

    /// Items this worker has made durable (row written, offset committable) since it started.
    public var itemsFinished: Int { finishedCount.load(ordering: .relaxed) }

    /// Items this worker failed because their attempt budget ran out while the dependency was up.
    public var itemsExhausted: Int { exhaustedCount.load(ordering: .relaxed) }

    /// Creates a worker; nothing runs until ``run()``. `environment` gives its wall clock and
    /// randomness.
    public init(
        configuration: BatchWorkerConfiguration,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        store: BatchJobStore,
        objects: S3Client,
        inference: any BatchInference,
        callbacks: CallbackNotifier,
        environment: WorkerEnvironment = .system,
        logger: Logger
    ) {
        self.configuration = configuration
        self.environment = environment
        self.consumer = consumer
        self.producer = producer
        self.store = store
        self.objects = objects
        self.inference = inference
        self.callbacks = callbacks
        self.logger = logger
        let knownModels = KnownModels()
        self.knownModels = knownModels
        let metrics = BatchWorkerMetrics(models: knownModels)
        self.metrics = metrics
        jobs = JobDirectory(store: store, ttl: configuration.jobStatusTTL)
        permits = AsyncPermits(configuration.maxInFlightItems)
        grouper = Mutex(
            BatchGrouper(
                linger: configuration.linger, groupLinger: configuration.groupLinger,
                groupCapacity: configuration.maxGroupItems))
        gate = DependencyGate { [consumer, logger] paused in
            metrics.setPaused(paused)
            if paused {
                logger.warning("batch.consumption.paused")
                consumer.pause()
            } else {
                logger.info("batch.consumption.resumed")
                consumer.resume()
            }
        }
    }

    /// Runs until graceful shutdown (drain, commit, return) or cancellation (stop at once).
    public func run() async throws {
        let (batches, sink) = AsyncStream.makeStream(of: [[WorkItem]].self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.commitLoop() }
            group.addTask {
                defer { sink.finish() }
                try await self.readAndAssemble(into: sink)
            }
            try await dispatch(batches)
            if !Task.isCancelled { await commitFinished() }
            group.cancelAll()
            try await group.waitForAll()
        }
        logger.info("batch.worker.stopped")
    }

    // MARK: - Reading

    /// Reads messages until shutdown, feeding complete groups of batches to `sink`; then hands
    /// out the partial ones too.
    private func readAndAssemble(into sink: AsyncStream<[[WorkItem]]>.Continuation) async throws {
        let (openings, opened) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.lingerLoop(sink, openings: openings) }
            do {
                try await cancelWhenGracefulShutdown { try await self.readLoop(sink, opened: opened) }
            } catch is CancellationError {
                // Shutdown while waiting for a permit: the message was not tracked, it is read again.
            }
            group.cancelAll()
        }
        for group in grouper.withLock({ $0.drain(now: .now) }) { sink.yield(group) }
    }

    /// Reads and assembles; yields to `opened` when a batch or group opens while none was open.
    private func readLoop(
        _ sink: AsyncStream<[[WorkItem]]>.Continuation, opened: AsyncStream<Void>.Continuation
    ) async throws {
        func assemble(_ add: (inout BatchGrouper<BatchKey, WorkItem, ContinuousClock.Instant>) -> [[[WorkItem]]]) {
            let (ready, firstOpen) = grouper.withLock { grouper in
                let wasEmpty = grouper.isEmpty
                let ready = add(&grouper)
                return (ready, wasEmpty && !grouper.isEmpty)
            }
            for group in ready { sink.yield(group) }
            if firstOpen { opened.yield() }
        }
        for try await message in consumer.messages {
            try await permits.acquire()
            let item = WorkItem(message)
            tracker.withLock { $0.received(item.partition, offset: item.offset) }
            metrics.received()
            guard let decoded = item.message, let signature = TensorBatching.signature(of: decoded.request) else {
                assemble { $0.addAlone(item, now: .now) }
                continue
            }
            let capacity: Int
            do {
                let key = ModelKey(model: decoded.model, version: decoded.version)
                if let known = knownDescription(key) {
                    capacity = known.maxBatchSize
                } else {
                    // While the router is down this waits, and so pauses reading, until the item's job expires.
                    let deadline = (try? await jobs.context(for: decoded))?.expiresAt
                    capacity = try await describe(key, until: deadline).maxBatchSize
                }
            } catch is PermanentFailure {
                assemble { $0.addAlone(item, now: .now) }
                continue
            }
            let key = BatchKey(model: decoded.model, version: decoded.version, signature: signature)
            let rows = TensorBatching.rows(of: decoded.request)
            assemble { $0.add(item, key: key, rows: rows, capacity: capacity, now: .now) }
        }
    }

    /// Hands out partial batches and groups whose linger time has passed: sleeps until the first
    /// deadline, at most one batch linger at a time (a batch opened meanwhile has a deadline at
    /// most that far off), or, while nothing is open, until `openings` says something opened (an
    /// idle worker does not wake up).
    private func lingerLoop(_ sink: AsyncStream<[[WorkItem]]>.Continuation, openings: AsyncStream<Void>) async {
        var wakeups = openings.makeAsyncIterator()
        while !Task.isCancelled {
            guard let deadline = grouper.withLock({ $0.nextDeadline }) else {
                guard await wakeups.next() != nil else { return }
                continue
            }
            let wake = min(deadline, ContinuousClock.now.advanced(by: configuration.linger))
            do { try await Task.sleep(until: wake, clock: .continuous) } catch { return }
            for group in grouper.withLock({ $0.expired(now: .now) }) { sink.yield(group) }
        }
    }

    /// The model's description, cached; retried while the router is down.
    ///
    /// Throws ``PermanentFailure`` when the model does not exist.
    func describe(_ key: ModelKey, until deadline: Date? = nil) async throws -> ModelDescription {
        if let known = knownDescription(key) { return known }
        let now = ContinuousClock.now
        let description = try await retrying("describe model", on: .router(nil), until: deadline) {
            try await self.inference.describe(model: key.model, version: key.version)
        }
        knownModels.learned(key)
        models.withLock { $0[key] = (description, now) }
        return description
    }

    /// The model's description when it was read less than the model TTL ago.
    func knownDescription(_ key: ModelKey) -> ModelDescription? {
        guard let known = models.withLock({ $0[key] }), known.readAt.duration(to: .now) < modelTTL else { return nil }
        return known.description
    }

    /// Health checks, made when an item's attempt budget ran out, that found the dependency down.
    public var dependencyChecksFailed: Int { downCount.load(ordering: .relaxed) }

    /// Counts a health check that found a dependency down.
    func noteDependencyDown() {
        downCount.add(1, ordering: .relaxed)
    }

    /// Counts an item that ended `attempts_exhausted`.
    func noteExhausted(model: String?) {
        metrics.exhausted(model: model)
        exhaustedCount.add(1, ordering: .relaxed)
    }

    // MARK: - Dispatching

    /// Runs each batch as its own task, at most ``BatchWorkerConfiguration/maxConcurrentBatches``
    /// at once, until the stream ends and every batch is done.
    private func dispatch(_ batches: AsyncStream<[[WorkItem]]>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for await batch in batches {
                if running >= configuration.maxConcurrentBatches {
                    try await group.next()
                    running -= 1
                }
                group.addTask { try await self.process(batch) }
                running += 1
            }
            try await group.waitForAll()
        }
    }

    /// Marks items durable (their offsets may be committed) and frees their permits.
    func markDone(_ items: [WorkItem]) {
        tracker.withLock { tracker in
            for item in items { tracker.completed(item.partition, offset: item.offset) }
        }
        permits.release(items.count)
        finishedCount.add(items.count, ordering: .relaxed)
    }

    // MARK: - Committing

    private func commitLoop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.commitInterval) } catch { return }
            await commitFinished()
        }
    }

    /// Commits, for each assigned partition, the offset below which every item is durable.
    func commitFinished() async {
        let assignment = Set(consumer.assignment)
        let offsets = tracker.withLock { $0.offsetsToCommit(assignment: assignment) }
        guard !offsets.isEmpty else { return }
        do {
            try await consumer.commit(offsets: offsets)
            tracker.withLock { $0.committed(offsets) }
        } catch {
            // Kept for the next round; a revoked partition's items are read again by its new owner.
            logger.warning("batch.commit.failed", metadata: [BatchLogKey.error: "\(error)"])
        }
    }
}
