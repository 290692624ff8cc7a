import Logging
import NIOPosix
import Synchronization

/// Leases hiredis connections to callers and runs their blocking work on an `NIOThreadPool`.
///
/// Connections are opened lazily, checked with `PING` after a long idle time, and dropped after
/// any I/O error, timeout or protocol error (the next lease opens a fresh one).
final class RedisConnectionPool: Sendable {
    typealias Grant = ConnectionGrant<RedisConnection>
    typealias Machine = ConnectionPoolStateMachine<RedisConnection, CheckedContinuation<Grant, any Error>>

    private let state: Mutex<Machine>
    private let nextWaiterID = Atomic<Int>(0)
    private let threadPool: NIOThreadPool
    private let configuration: RedisConfiguration
    private let logger: Logger

    init(configuration: RedisConfiguration, threadPool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        self.threadPool = threadPool
        self.logger = logger
        self.state = Mutex(
            Machine(maximumConnections: configuration.poolSize, healthCheckInterval: configuration.healthCheckInterval))
    }

    /// The outcome of one thread-pool work item.
    private enum Attempt<Value: Sendable>: Sendable {
        case ran(RedisConnection, Result<Value, RedisClientError>)
        case openFailed(RedisClientError)
    }

    /// Leases a connection, runs `body` with it on the thread pool, and returns the connection
    /// (or discards it when `body` left it broken).
    ///
    /// - Throws: ``RedisClientError`` or `CancellationError` (only while still waiting: once the
    ///   blocking work started it runs to its end or to the command timeout).
    func withConnection<Value: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) -> Result<Value, RedisClientError>
    ) async throws -> Value {
        let grant = try await lease()
        let attempt: Attempt<Value>
        do {
            attempt = try await threadPool.runIfActive { [configuration, logger] in
                switch Self.prepare(grant, configuration: configuration, logger: logger) {
                case .success(let connection): .ran(connection, body(connection))
                case .failure(let error): .openFailed(error)
                }
            }
        } catch {
            // The work never started: the task was cancelled or the thread pool has stopped.
            perform(state.withLock { $0.returnUnused(grant, now: .now) })
            if error is CancellationError { throw error }
            throw RedisClientError.clientShutDown
        }
        switch attempt {
        case .openFailed(let error):
            let failed = state.withLock { $0.openFailed() }
            for waiter in failed { waiter.resume(throwing: error) }
            throw error
        case .ran(let connection, let result):
            let reusable = !connection.isBroken
            if !reusable {
                logger.debug("redis.connection.discarded")
            }
            perform(state.withLock { $0.release(connection, reusable: reusable, now: .now) })
            return try result.get()
        }
    }

    /// Stops handing out connections, closes the idle ones and fails every waiter.
    func shutDown() {
        let (idle, fail) = state.withLock { $0.shutDown() }
        // Each idle connection frees its context once this last reference to it is gone.
        withExtendedLifetime(idle) {}
        for waiter in fail { waiter.resume(throwing: RedisClientError.clientShutDown) }
    }

    /// Counts for tests and diagnostics: connections that exist, idle ones, queued callers.
    var statistics: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.openConnections, $0.idleCount, $0.waiterCount) }
    }

    private func lease() async throws -> Grant {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                switch state.withLock({ $0.lease(id: id, waiter: continuation, now: .now) }) {
                case .grant(let grant):
                    continuation.resume(returning: grant)
                case .fail:
                    continuation.resume(throwing: RedisClientError.clientShutDown)
                case .wait:
                    // Cancelled before the waiter was queued: the handler found nothing to cancel.
                    if Task.isCancelled, let waiter = state.withLock({ $0.cancelWaiter(id: id) }) {
                        waiter.resume(throwing: CancellationError())
                    }
                }
            }
        } onCancel: {
            if let waiter = state.withLock({ $0.cancelWaiter(id: id) }) {
                waiter.resume(throwing: CancellationError())
            }
        }
    }

    /// Blocking: the connection to use for a grant, opened or replaced as needed.
    private static func prepare(
        _ grant: Grant, configuration: RedisConfiguration, logger: Logger
    ) -> Result<RedisConnection, RedisClientError> {
        switch grant {
        case .connection(let existing, let checkHealth):
            if !checkHealth || existing.ping() { return .success(existing) }
            logger.debug("redis.connection.replaced", metadata: ["redis.reason": "health check failed"])
        case .open:
            logger.debug("redis.connection.opening")
        }
        return Result { () throws(RedisClientError) in try RedisConnection.connect(configuration) }
    }

    private func perform(_ action: Machine.ReleaseAction) {
        // A discarded connection is freed when its last reference (this action) goes away.
        if let (waiter, grant) = action.resume {
            waiter.resume(returning: grant)
        }
    }
}
