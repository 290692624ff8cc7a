import Logging
import NIOPosix
import Synchronization

/// A pool of libpq connections with scoped leases.
///
/// ```swift
/// let pool = PostgresPool(configuration: .init(connectionString: url), logger: logger)
/// let rows = try await pool.query("SELECT name FROM t WHERE id = $1", [.int(7)])
/// try await pool.withTransaction { connection in … }
/// await pool.shutdown()
/// ```
///
/// Connections open lazily, up to `poolSize`. A broken connection is discarded when it comes back
/// and an idle one the server closed is replaced before use, so once a failed server is back the
/// next lease works again. A lease that gets no connection within `leaseTimeout` fails with
/// `timeout`, so a server that hangs costs callers a bounded wait. Call ``shutdown()`` before
/// dropping the pool.
public final class PostgresPool: Sendable {
    /// A queued lease: who to resume, and the timer that fails it at the lease timeout.
    private struct Waiter {
        var continuation: CheckedContinuation<PostgresConnection, any Error>
        var timer: Task<Void, Never>?

        /// Hands `connection` over (or fails) and stops the timer.
        func resume(with result: Result<PostgresConnection, any Error>) {
            timer?.cancel()
            continuation.resume(with: result)
        }
    }

    private struct State {
        var machine: PoolStateMachine<PostgresConnection>
        var continuations: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    /// The settings the pool was built with.
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let threadPool: NIOThreadPool
    private let ownsThreadPool: Bool
    private let state: Mutex<State>

    /// Creates a pool; no connection opens until the first lease.
    ///
    /// - Parameter threadPool: where blocking libpq calls run; by default the pool starts its own
    ///   with one thread per connection and stops it in ``shutdown()``.
    public init(
        configuration: PostgresConfiguration, threadPool: NIOThreadPool? = nil,
        logger: Logger = Logger(label: "PostgresClient")
    ) {
        self.configuration = configuration
        self.logger = logger
        if let threadPool {
            self.threadPool = threadPool
            self.ownsThreadPool = false
        } else {
            let ownPool = NIOThreadPool(numberOfThreads: max(1, configuration.poolSize))
            ownPool.start()
            self.threadPool = ownPool
            self.ownsThreadPool = true
        }
        self.state = Mutex(State(machine: PoolStateMachine(maximumConnections: max(1, configuration.poolSize))))
    }

    /// Runs `body` with a leased connection and returns the connection afterwards, also when
    /// `body` throws.
    ///
    /// - Throws: `connectionFailed` when no connection can be opened, `timeout` when none is free
    ///   within the configured `leaseTimeout`, `poolClosed` after ``shutdown()``, or whatever
    ///   `body` throws.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            release(connection)
            throw error
        }
        release(connection)
        return result
    }

    /// Runs `body` inside `BEGIN` … `COMMIT` on a leased connection, and rolls back when it
    /// throws.
    ///
    /// A `serializationFailure` (from `COMMIT` or any statement) means the whole transaction may be
    /// retried.
    @discardableResult
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        level: PostgresIsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection(isolation: isolation) { connection in
            try await connection.withTransaction(isolation: isolation, level: level, body)
        }
    }

    /// Runs one statement on a leased connection; see ``PostgresConnection/query(_:_:)``.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> PostgresRows {
        try await withConnection { connection in try await connection.query(sql, parameters) }
    }

    /// Closes idle connections, fails waiters with `poolClosed`, and stops the pool's own thread
    /// pool. Connections still leased close when their body returns.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            let closed = state.machine.close()
            let continuations = closed.waiters.compactMap { state.continuations.removeValue(forKey: $0) }
            return (closed.idle, continuations)
        }
        for waiter in waiters { waiter.resume(with: .failure(PostgresError.closed)) }
        for connection in idle { connection.close() }
        if ownsThreadPool {
            try? await threadPool.shutdownGracefully()
        }
    }

    // MARK: - Leasing

    private func lease() async throws -> PostgresConnection {
        let deadline = configuration.leaseTimeout.map { ContinuousClock.now + $0 }
        // A connection the server closed while idle is replaced; the bound only stops a loop
        // should every check fail.
        for _ in 0...configuration.poolSize {
            let connection = try await leaseAny(deadline: deadline)
            if connection.isAlive() { return connection }
            logger.info("postgres.connection.stale")
            release(connection)
        }
        return try await leaseAny(deadline: deadline)
    }

    private func leaseAny(deadline: ContinuousClock.Instant?) async throws -> PostgresConnection {
        try Task.checkCancellation()
        let waiter = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let action = state.withLock { state in
                    let action = state.machine.lease(waiter: waiter)
                    if case .wait = action {
                        let timer = deadline.map { deadline in
                            Task { [weak self] in
                                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else {
                                    return
                                }
                                self?.leaseTimedOut(waiter: waiter)
                            }
                        }
                        state.continuations[waiter] = Waiter(continuation: continuation, timer: timer)
                    }
                    return action
                }
                switch action {
                case .use(let connection):
                    continuation.resume(returning: connection)
                case .wait(let openConnection):
                    if openConnection { openConnectionInBackground() }
                case .failClosed:
                    continuation.resume(throwing: PostgresError.closed)
                }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.machine.cancel(waiter: waiter) ? state.continuations.removeValue(forKey: waiter) : nil
            }
            continuation?.resume(with: .failure(CancellationError()))
        }
    }

    /// Fails a lease still queued at its deadline with `timeout`.
    private func leaseTimedOut(waiter: Int) {
        let continuation = state.withLock { state in
            state.machine.timedOut(waiter: waiter) ? state.continuations.removeValue(forKey: waiter) : nil
        }
        guard let continuation else { return }
        logger.warning("postgres.lease.timeout")
        let milliseconds = configuration.leaseTimeout?.milliseconds ?? 0
        continuation.resume(
            with: .failure(
                PostgresError(
                    code: .timeout, message: "no connection became free within the lease timeout of \(milliseconds) ms")
            ))
    }

    private func release(_ connection: PostgresConnection) {
        let reusable = connection.isReusable
        let (action, continuation) = state.withLock {
            state -> (PoolStateMachine<PostgresConnection>.ReleaseAction, Waiter?) in
            let action = state.machine.release(connection, reusable: reusable)
            guard case .resume(let waiter, _) = action else { return (action, nil) }
            return (action, state.continuations.removeValue(forKey: waiter))
        }
        switch action {
        case .resume(_, let connection):
            continuation?.resume(with: .success(connection))
        case .none:
            break
        case .close(let connection, let openReplacement):
            if !reusable { logger.debug("postgres.connection.discarded") }
            connection.close()
            if openReplacement { openConnectionInBackground() }
        }
    }

    /// Opens a connection on the thread pool and hands it to the state machine.
    private func openConnectionInBackground() {
        threadPool.submit { [configuration, threadPool, logger] workState in
            do {
                guard case .active = workState else { throw PostgresError.closed }
                let connection = try PostgresConnection.open(
                    configuration: configuration, threadPool: threadPool, logger: logger)
                self.opened(connection)
            } catch {
                self.openFailed(error)
            }
        }
    }

    private func opened(_ connection: PostgresConnection) {
        logger.debug("postgres.connection.opened")
        let (action, continuation) = state.withLock {
            state -> (PoolStateMachine<PostgresConnection>.OpenedAction, Waiter?) in
            let action = state.machine.opened(connection)
            guard case .resume(let waiter, _) = action else { return (action, nil) }
            return (action, state.continuations.removeValue(forKey: waiter))
        }
        switch action {
        case .resume(_, let connection): continuation?.resume(with: .success(connection))
        case .none: break
        case .close(let connection): connection.close()
        }
    }

    private func openFailed(_ error: any Error) {
        logger.warning("postgres.connection.failed", metadata: [PostgresLogKey.error: "\(error)"])
        let continuations = state.withLock { state in
            state.machine.openFailed().compactMap { state.continuations.removeValue(forKey: $0) }
        }
        for continuation in continuations { continuation.resume(with: .failure(error)) }
    }
}
