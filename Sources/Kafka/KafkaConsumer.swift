import CRdkafka
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A member of a consumer group that reads messages as an `AsyncSequence` and commits offsets
/// only when told to.
///
/// ``run()`` (or a `ServiceGroup`) drives it: a dedicated thread owns the librdkafka handle,
/// subscribes, polls, handles rebalances and runs commits. ``messages`` yields what it reads; at
/// most ``KafkaConfiguration/consumerBufferCapacity`` messages wait in memory. When the buffer is
/// full the thread stops polling, and if the application stays behind for more than a second it
/// pauses fetching too (keeping its group membership), so nothing is ever dropped. Messages of
/// several topics are handed out by ``KafkaConfiguration/topicWeights`` (weighted round-robin).
///
/// Delivery is at least once: after a rebalance or a restart, messages after the last committed
/// offset are read again. When partitions are revoked, their buffered messages are dropped (the
/// next owner reads them again) and later commits for them are refused. In a `ServiceGroup`,
/// list the consumer before the service that processes its messages, so it closes after that
/// service's last commit.
public final class KafkaConsumer: Service, Sendable {
    let client: RDKafkaClient
    let core: ConsumerCore
    let signal = ThreadSignal()
    let topics: [String]
    let logger: Logger

    /// Creates a consumer of `topics` in ``KafkaConfiguration/groupID``'s group; it joins the
    /// group once ``run()`` starts.
    public init(configuration: KafkaConfiguration, topics: [String], logger: Logger) throws(KafkaError) {
        guard !topics.isEmpty else { throw .configuration("a consumer needs at least one topic") }
        let properties = try configuration.consumerProperties()
        let core = ConsumerCore(
            capacity: configuration.consumerBufferCapacity, topicWeights: configuration.topicWeights, logger: logger)
        self.core = core
        self.topics = topics
        self.logger = logger
        self.client = try RDKafkaClient.make(
            kind: .consumer, properties: properties, context: RDKafkaContext(logger: logger, rebalanceHandler: core))
    }

    deinit {
        // The poll thread keeps the consumer alive while it runs, so it either ran and closed
        // already, or never ran: then it never joined a group and there is nothing to leave.
        let finish: ConsumerCore.StateMachine.CloseAction = core.state.withLockedValue { $0.close(nil) }
        if case .finish(let finish) = finish { core.finish(finish) }
        client.destroy(skipConsumerClose: true)
    }

    var waker: ConsumerWaker { ConsumerWaker(client: client, signal: signal) }

    /// The messages read, in order per partition. The sequence ends when the consumer closes.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(core: core, waker: waker) }

    /// The partitions currently assigned to this member.
    public var assignment: [KafkaTopicPartition] { core.state.withLockedValue { $0.sortedAssignment } }

    /// True while ``pause()`` is in effect.
    public var isPaused: Bool { core.state.withLockedValue { $0.isUserPaused } }

    /// Waits until the group has assigned this member at least one partition and returns the
    /// assignment (the first join can take about 20 s on some brokers).
    public func waitForAssignment() async throws -> [KafkaTopicPartition] {
        let id = core.makeID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                switch core.state.withLockedValue({ $0.waitForAssignment(id: id, waiter: continuation) }) {
                case .resume(let assignment): continuation.resume(returning: assignment)
                case .fail(let error): continuation.resume(throwing: error)
                case .suspended:
                    // Cancelled before the handler below was installed: it has already run.
                    if Task.isCancelled {
                        core.state.withLockedValue { $0.cancelAssignmentWait(id: id) }?
                            .resume(throwing: CancellationError())
                    }
                }
            }
        } onCancel: {
            core.state.withLockedValue { $0.cancelAssignmentWait(id: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Marks `message` processed: commits `offset + 1` for its partition and waits for the broker.
    public func commit(_ message: KafkaMessage) async throws {
        try await commit(offsets: [KafkaCommitOffset(after: message)])
    }

    /// Commits `offsets` (each the next offset to read) and waits for the broker's answer.
    ///
    /// Throws ``KafkaError/Code/commitFailed`` for a partition no longer assigned to this member.
    public func commit(offsets: [KafkaCommitOffset]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            switch core.state.withLockedValue({ $0.commit(offsets, commit: continuation) }) {
            case .wakePollThread: waker.wake()
            case .fail(let continuation, let error): continuation.resume(throwing: error)
            case .succeed(let continuation): continuation.resume()
            }
        }
    }

    /// Stops fetching from every assigned partition (also those assigned later) until ``resume()``.
    /// Messages already buffered can still be read; group membership is kept.
    public func pause() {
        if core.state.withLockedValue({ $0.setUserPaused(true) }) { waker.wake() }
    }

    /// Resumes fetching after ``pause()``, from the first message not yet handed out.
    public func resume() {
        if core.state.withLockedValue({ $0.setUserPaused(false) }) { waker.wake() }
    }

    /// Joins the group and polls until cancelled, shut down gracefully, or ``close()``d; then
    /// leaves the group cleanly (`rd_kafka_consumer_close`) and frees the handle.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    switch core.state.withLockedValue({ $0.run() }) {
                    case .startPollThread:
                        do {
                            try DedicatedThread.start(name: "kafka-consumer") { self.pollLoop(continuation) }
                        } catch {
                            core.finish(core.state.withLockedValue { $0.closed(error: error as? KafkaError) })
                            continuation.resume(throwing: error)
                        }
                    case .failAlreadyRunning:
                        continuation.resume(throwing: KafkaError.configuration("the consumer is already running"))
                    case .alreadyClosed:
                        continuation.resume()
                    }
                }
            } onGracefulShutdown: {
                self.beginClose(waiter: nil)
            }
        } onCancel: {
            self.beginClose(waiter: nil)
        }
    }

    /// Leaves the group and waits until the consumer is closed; ``messages`` then ends.
    public func close() async {
        // End waiters are always resumed without an error.
        try? await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            beginClose(waiter: continuation)
        }
    }

    func beginClose(waiter: CheckedContinuation<Void, any Error>?) {
        switch core.state.withLockedValue({ $0.close(waiter) }) {
        case .wakePollThread: waker.wake()
        case .finish(let finish): core.finish(finish)
        case .resume(let waiter): waiter?.resume()
        case .none: break
        }
    }
}
