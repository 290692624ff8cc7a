import Dispatch
import Logging
import Synchronization

/// One command for the pipeline: its arguments and, for `EVALSHA`, the script to load when the
/// server answers `NOSCRIPT`.
struct PipelinedCommand: Sendable {
    /// The command and its arguments, binary-safe.
    var arguments: [[UInt8]]
    /// Set for `EVALSHA`: on a `NOSCRIPT` reply the I/O thread sends `SCRIPT LOAD` with this
    /// script's source and runs the command once more.
    var script: RedisScript?
}

/// Counts for tests and diagnostics.
package struct RedisPipelineStatistics: Sendable, Hashable {
    /// Batches the I/O threads took from the queue (each written at once).
    package var batches: Int
    /// Commands the I/O threads took from the queue, over all ``batches``.
    package var commands: Int
    /// Commands waiting for an I/O thread.
    package var queued: Int
    /// Commands taken by an I/O thread whose replies were not delivered yet.
    package var inFlight: Int
    /// Connections open (or being checked) now.
    package var openConnections: Int
}

/// Sends commands over a few hiredis connections (at most `poolSize`), each owned by one I/O thread that
/// pipelines: callers queue their command and wake a sleeping thread; a thread takes every
/// queued command, writes them all, reads their replies in order and resumes each caller.
///
/// A connection opens on its thread's first batch (then `AUTH` and `SELECT`), is checked with
/// `PING` before a batch when it sat idle past the health-check interval, and is dropped after an
/// I/O error, timeout or protocol error (the next batch opens a new one).
final class RedisPipeline: Sendable {
    typealias Waiter = CheckedContinuation<RedisReply, any Error>
    typealias Machine = PipelineStateMachine<PipelinedCommand, Waiter>

    private struct State {
        var machine: Machine
        /// The connection each I/O thread is using for a batch, for shutdown to interrupt.
        var active: [RedisConnection?]
    }

    let configuration: RedisConfiguration
    let logger: Logger
    private let state: Mutex<State>
    /// One per I/O thread, signalled only when the machine says so (one signal per sleep).
    private let wakeUps: [DispatchSemaphore]
    private let nextID = Atomic<Int>(0)
    private let openConnections = Atomic<Int>(0)
    private let exited: AsyncStream<Void>
    private let exitedContinuation: AsyncStream<Void>.Continuation

    /// A pipeline over `configuration.poolSize` connections (at least one). Nothing starts yet:
    /// an I/O thread starts when a command finds every started one busy, and opens its
    /// connection for its first batch.
    init(configuration: RedisConfiguration, logger: Logger) {
        let threads = max(1, configuration.poolSize)
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(
            State(
                machine: Machine(workers: threads, maximumQueued: configuration.maximumQueuedCommands),
                active: Array(repeating: nil, count: threads)))
        self.wakeUps = (0..<threads).map { _ in DispatchSemaphore(value: 0) }
        (exited, exitedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Queues `command` and returns its reply (an error reply is returned, not thrown).
    ///
    /// - Throws: ``RedisClientError`` (a transport failure, ``RedisClientError/Code/queueFull``,
    ///   ``RedisClientError/Code/clientShutDown``), or `CancellationError` when the task is
    ///   cancelled while the command is still queued. Once an I/O thread took the command, it is
    ///   sent and its reply returned whether or not the task was cancelled.
    func submit(_ command: PipelinedCommand) async throws -> RedisReply {
        let id = nextID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                switch state.withLock({ $0.machine.enqueue(id: id, command: command, waiter: continuation) }) {
                case .queued(let signal):
                    perform(signal)
                    // Cancelled before the command was queued: the handler found nothing to cancel.
                    if Task.isCancelled, let waiter = state.withLock({ $0.machine.cancel(id: id) }) {
                        waiter.resume(throwing: CancellationError())
                    }
                case .failShutDown:
                    continuation.resume(throwing: RedisClientError.clientShutDown)
                case .failQueueFull:
                    continuation.resume(
                        throwing: RedisClientError.queueFull(limit: configuration.maximumQueuedCommands))
                }
            }
        } onCancel: {
            if let waiter = state.withLock({ $0.machine.cancel(id: id) }) {
                waiter.resume(throwing: CancellationError())
            }
        }
    }

    /// Fails every queued and in-flight command with ``RedisClientError/Code/clientShutDown``,
    /// interrupts the I/O in progress, and returns once every I/O thread has closed its
    /// connection and ended. A second call returns at once.
    func shutDown() async {
        let (first, action, interrupt) = state.withLock { state in
            let first = !state.machine.isShutDown
            return (first, state.machine.shutDown(), state.active.compactMap { $0 })
        }
        guard first else { return }
        for waiter in action.fail { waiter.resume(throwing: RedisClientError.clientShutDown) }
        // The references taken under the lock keep each socket open (and its number unused by
        // anything else) until the interrupt is done.
        for connection in interrupt { connection.interrupt() }
        for worker in action.wake { wakeUps[worker].signal() }
        var running = action.started
        guard running > 0 else { return }
        for await _ in exited {
            running -= 1
            if running == 0 { break }
        }
    }

    /// Counts for tests and diagnostics.
    var statistics: RedisPipelineStatistics {
        let open = openConnections.load(ordering: .relaxed)
        return state.withLock { state in
            RedisPipelineStatistics(
                batches: state.machine.batches, commands: state.machine.commands, queued: state.machine.queuedCount,
                inFlight: state.machine.inFlightCount, openConnections: open)
        }
    }

    // MARK: - The I/O threads

    private func perform(_ signal: Machine.Signal) {
        switch signal {
        case .none:
            break
        case .wake(let worker):
            wakeUps[worker].signal()
        case .start(let worker):
            let status = IOThread.start { [self] in runIOThread(worker) }
            // As NIO does for its threads: a process that cannot start one is out of resources.
            guard status == 0 else { fatalError("cannot start a Redis I/O thread (error \(status))") }
        }
    }

    /// The body of I/O thread `worker`: take a batch, run it, deliver the replies; sleep while
    /// there is nothing to do; close the connection and end at shutdown.
    private func runIOThread(_ worker: Int) {
        var connection: RedisConnection?
        var lastUsed = ContinuousClock.now
        while true {
            switch state.withLock({ $0.machine.nextBatch(worker: worker) }) {
            case .run(let commands):
                let results = run(commands, worker: worker, connection: &connection, lastUsed: &lastUsed)
                let waiters = state.withLock { $0.machine.completeBatch(worker: worker) }
                for (waiter, result) in zip(waiters, results) { waiter.resume(with: result) }
            case .sleep:
                wakeUps[worker].wait()
            case .exit:
                if connection != nil { drop(&connection) }
                exitedContinuation.yield()
                return
            }
        }
    }

    /// Blocking: runs one batch on the thread's connection, opening or replacing it first when
    /// needed; returns one result per command, in order.
    private func run(
        _ commands: [PipelinedCommand], worker: Int, connection: inout RedisConnection?,
        lastUsed: inout ContinuousClock.Instant
    ) -> [Result<RedisReply, RedisClientError>] {
        if let existing = connection,
            existing.isBroken
                || (ContinuousClock.now - lastUsed > configuration.healthCheckInterval && !existing.ping())
        {
            logger.debug("redis.connection.replaced", metadata: ["redis.reason": "health check failed"])
            drop(&connection)
        }
        if connection == nil {
            logger.debug("redis.connection.opening")
            do {
                connection = try RedisConnection.connect(configuration)
                openConnections.add(1, ordering: .relaxed)
            } catch {
                return Array(repeating: .failure(error), count: commands.count)
            }
        }
        guard let open = connection else { return [] }
        let started = state.withLock { state in
            guard !state.machine.isShutDown else { return false }
            state.active[worker] = open
            return true
        }
        guard started else { return Array(repeating: .failure(.clientShutDown), count: commands.count) }

        var results = open.pipeline(commands.map(\.arguments))
        Self.retryUnknownScripts(commands, results: &results, on: open)

        state.withLock { $0.active[worker] = nil }
        lastUsed = .now
        if open.isBroken {
            logger.debug("redis.connection.discarded")
            drop(&connection)
        }
        return results
    }

    /// Blocking: for the `EVALSHA` commands answered `NOSCRIPT`, loads each script once with
    /// `SCRIPT LOAD` and runs those commands again, pipelined, replacing their results.
    private static func retryUnknownScripts(
        _ commands: [PipelinedCommand], results: inout [Result<RedisReply, RedisClientError>],
        on connection: RedisConnection
    ) {
        let unknown = commands.indices.filter { index in
            guard commands[index].script != nil, case .success(.error(let message)) = results[index] else {
                return false
            }
            return message.hasPrefix("NOSCRIPT")
        }
        guard !unknown.isEmpty else { return }
        var loads: [String: Result<Void, RedisClientError>] = [:]
        for index in unknown {
            guard let script = commands[index].script, loads[script.sha1] == nil else { continue }
            loads[script.sha1] = Result { () throws(RedisClientError) in
                let loaded = try connection.command(["SCRIPT", "LOAD", script.source])
                if case .error(let message) = loaded { throw .serverError(message) }
                guard loaded.stringValue == script.sha1 else {
                    throw .protocolError("SCRIPT LOAD returned a digest that differs from the script's SHA1")
                }
            }
        }
        var rerun: [Int] = []
        for index in unknown {
            guard let script = commands[index].script, let load = loads[script.sha1] else { continue }
            switch load {
            case .success: rerun.append(index)
            case .failure(let error): results[index] = .failure(error)
            }
        }
        let replies = connection.pipeline(rerun.map { commands[$0].arguments })
        for (index, reply) in zip(rerun, replies) { results[index] = reply }
    }

    /// Drops the thread's connection; its context is freed with the last reference.
    private func drop(_ connection: inout RedisConnection?) {
        connection = nil
        openConnections.subtract(1, ordering: .relaxed)
    }
}
