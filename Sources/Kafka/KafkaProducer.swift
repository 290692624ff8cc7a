import CRdkafka
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Publishes messages to Kafka and reports where each one was written.
///
/// ``run()`` (or a `ServiceGroup`) drives it: a dedicated thread serves librdkafka's delivery
/// reports, and ``send(topic:key:value:headers:)`` returns only when the broker has acknowledged
/// the message (with the default `acks=all`). Sends made before `run()` starts are queued and
/// answered once it runs. Shutdown (cancellation, graceful shutdown or ``shutdown()``) stops
/// accepting sends, waits up to ``KafkaConfiguration/shutdownFlushTimeout`` for outstanding
/// delivery reports, and fails whatever is left with ``KafkaError/Code/shutdown``.
public final class KafkaProducer: Service, Sendable {
    private typealias StateMachine = ProducerStateMachine<
        CheckedContinuation<Void, any Error>, FlushRequest
    >

    private struct FlushRequest: Sendable {
        let timeoutMilliseconds: Int32
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let client: RDKafkaClient
    private let registry = DeliveryRegistry()
    private let state = NIOLockedValueBox(StateMachine())
    private let configuration: KafkaConfiguration
    private let logger: Logger

    /// Creates a producer; throws ``KafkaError/Code/configuration`` for a bad property.
    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.client = try RDKafkaClient.make(
            kind: .producer,
            properties: configuration.producerProperties(),
            context: RDKafkaContext(logger: logger),
            deliveryCallback: deliveryReportCallback)
    }

    deinit {
        // Never run: nothing else can drain the queue, so fail what is left and free the handle.
        if state.withLockedValue({ $0.acceptsMessages }) {
            drainAndDestroy(flushTimeoutMilliseconds: 0)
        }
    }

    /// How many sent messages still await their delivery report.
    public var inFlightCount: Int { registry.count }

    /// Sends one message and returns where the broker wrote it.
    ///
    /// When librdkafka's local queue is full the send waits and retries instead of failing.
    /// Cancellation is honoured until the message is handed to librdkafka; after that the call
    /// waits for its delivery report, since the message can no longer be withdrawn.
    public func send(
        topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = []
    ) async throws -> KafkaDeliveryReport {
        var backoff = Duration.milliseconds(1)
        while true {
            try Task.checkCancellation()
            let outcome = try await withCheckedThrowingContinuation { continuation in
                enqueue(topic: topic, key: key, value: value, headers: headers, continuation: continuation)
            }
            switch outcome {
            case .delivered(let report):
                return report
            case .queueFull:
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .milliseconds(50))
            }
        }
    }

    /// Waits until every message sent so far has its delivery report; throws
    /// ``KafkaError/Code/timeout`` when some are still outstanding after `timeout`.
    public func flush(timeout: Duration) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let request = FlushRequest(timeoutMilliseconds: timeout.milliseconds, continuation: continuation)
            switch state.withLockedValue({ $0.flush(request) }) {
            case .wakePollThread:
                client.wake()
            case .failNotRunning(let request):
                request.continuation.resume(throwing: KafkaError.shutdown("the producer is not running"))
            }
        }
    }

    /// Runs the delivery-report thread until shutdown, then drains and frees the handle.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    switch state.withLockedValue({ $0.run(continuation) }) {
                    case .startPollThread:
                        startThread(name: "kafka-producer") { $0.pollLoop() }
                    case .failAlreadyRunning(let waiter):
                        waiter.resume(throwing: KafkaError.configuration("the producer is already running"))
                    case .resume(let waiter):
                        waiter.resume()
                    case .none:
                        break
                    }
                }
            } onGracefulShutdown: {
                self.beginShutdown(waiter: nil)
            }
        } onCancel: {
            self.beginShutdown(waiter: nil)
        }
    }

    /// Stops accepting sends, delivers or fails everything in flight, and frees the handle.
    public func shutdown() async {
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                beginShutdown(waiter: continuation)
            }
        } catch {
            logger.error("kafka producer shutdown failed", metadata: [LogKeys.detail: "\(error)"])
        }
    }

    private func beginShutdown(waiter: CheckedContinuation<Void, any Error>?) {
        switch state.withLockedValue({ $0.shutdown(waiter) }) {
        case .startDrainThread:
            startThread(name: "kafka-prod-stop") { $0.finish() }
        case .wakePollThread:
            client.wake()
        case .resume(let waiter):
            waiter?.resume()
        case .none:
            break
        }
    }

    private func enqueue(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader],
        continuation: CheckedContinuation<SendOutcome, any Error>
    ) {
        enum Enqueued {
            case accepted
            case rejected(RDKafkaProduce.Failure)
            case shuttingDown
        }
        // Produce under the state lock, so no message can enter the queue once draining began.
        let enqueued: Enqueued = state.withLockedValue { state in
            guard state.acceptsMessages else { return .shuttingDown }
            let opaque = registry.register(continuation)
            guard
                let failure = RDKafkaProduce.produce(
                    handle: client.handle, topic: topic, key: key, value: value, headers: headers, opaque: opaque)
            else { return .accepted }
            // librdkafka did not take the message: no report will come for it.
            _ = registry.take(opaque)
            return .rejected(failure)
        }
        switch enqueued {
        case .accepted:
            break
        case .shuttingDown:
            continuation.resume(throwing: KafkaError.shutdown("the producer is shutting down"))
        case .rejected(let failure) where failure.isQueueFull:
            continuation.resume(returning: .queueFull)
        case .rejected(let failure):
            continuation.resume(throwing: KafkaError.rdKafka(failure.code, fallback: .produceFailed))
        }
    }

    private func startThread(name: String, _ body: @escaping @Sendable (KafkaProducer) -> Void) {
        do {
            try DedicatedThread.start(name: name) { body(self) }
        } catch {
            logger.error("kafka producer thread did not start", metadata: [LogKeys.detail: "\(error)"])
            finish()
        }
    }

    private func pollLoop() {
        while true {
            switch state.withLockedValue({ $0.nextPollAction() }) {
            case .poll:
                rd_kafka_poll(client.handle, 100)
            case .flush(let requests):
                for request in requests {
                    let result = rd_kafka_flush(client.handle, request.timeoutMilliseconds)
                    if result == RD_KAFKA_RESP_ERR_NO_ERROR {
                        request.continuation.resume()
                    } else {
                        request.continuation.resume(throwing: KafkaError.rdKafka(result, fallback: .timeout))
                    }
                }
            case .drain:
                finish()
                return
            }
        }
    }

    /// Drains and destroys the handle, then resumes everyone waiting for the end.
    private func finish() {
        let delivered = drainAndDestroy(flushTimeoutMilliseconds: configuration.shutdownFlushTimeout.milliseconds)
        let (waiters, flushes) = state.withLockedValue { $0.finished() }
        for flush in flushes {
            if delivered {
                flush.continuation.resume()
            } else {
                flush.continuation.resume(throwing: KafkaError.shutdown())
            }
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Flushes for up to `flushTimeoutMilliseconds`, purges the rest (failing it), serves the
    /// purged messages' reports, and destroys the handle. Returns true if nothing was purged.
    @discardableResult
    private func drainAndDestroy(flushTimeoutMilliseconds: Int32) -> Bool {
        let handle = client.handle
        let delivered = rd_kafka_flush(handle, flushTimeoutMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
        if !delivered {
            logger.warning(
                "kafka producer purging undelivered messages", metadata: [LogKeys.inFlight: "\(registry.count)"])
            rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            for _ in 0..<100 where rd_kafka_outq_len(handle) > 0 {
                rd_kafka_poll(handle, 10)
            }
            rd_kafka_poll(handle, 0)
        }
        client.destroy()
        // Anything librdkafka never reported can no longer be delivered.
        registry.failAll(with: .shutdown("the producer shut down before the delivery report"))
        return delivered
    }
}

extension Duration {
    /// Whole milliseconds, clamped to `Int32` (librdkafka's timeout type).
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(total, 0))
    }
}
