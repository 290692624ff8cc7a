/// The bookkeeping of the connection pool, without I/O: which connections are idle, how many
/// exist (idle, leased or being opened), and who waits for one.
///
/// Each mutating method returns what the owner must do (hand a connection over, open a new one,
/// fail a waiter); the owner holds the machine under a lock and acts after releasing it.
/// Generic over the connection and the waiter so tests can drive it with plain values.
struct ConnectionPoolStateMachine<Connection, Waiter> {
    typealias Grant = ConnectionGrant<Connection>

    /// The answer to ``lease(id:waiter:now:)``.
    enum LeaseAction {
        /// Served at once; the waiter was not stored.
        case grant(Grant)
        /// Queued; the waiter is resumed later by another call's action.
        case wait
        /// The pool is shut down; the waiter was not stored.
        case fail
    }

    /// What to do after a connection came back.
    struct ReleaseAction {
        /// A connection to close (drop).
        var discard: Connection?
        /// A queued waiter to resume with a grant.
        var resume: (waiter: Waiter, grant: Grant)?
    }

    private struct IdleConnection {
        var connection: Connection
        var since: ContinuousClock.Instant
    }

    /// Upper bound of connections that exist at once.
    let maximumConnections: Int
    /// Idle time after which a connection is checked before reuse.
    let healthCheckInterval: Duration

    /// Connections that exist or are being opened: idle + leased + opening.
    private(set) var openConnections = 0
    private var idle: [IdleConnection] = []
    private var waiters: [(id: Int, waiter: Waiter)] = []
    private(set) var isShutDown = false

    init(maximumConnections: Int, healthCheckInterval: Duration) {
        self.maximumConnections = max(1, maximumConnections)
        self.healthCheckInterval = healthCheckInterval
    }

    /// Idle connections, for tests and diagnostics.
    var idleCount: Int { idle.count }
    /// Queued waiters, for tests and diagnostics.
    var waiterCount: Int { waiters.count }

    /// A caller wants a connection: the most recently used idle one, else a new slot while below
    /// the maximum, else a place in the queue.
    mutating func lease(id: Int, waiter: Waiter, now: ContinuousClock.Instant) -> LeaseAction {
        if isShutDown { return .fail }
        if let last = idle.popLast() {
            return .grant(.connection(last.connection, checkHealth: now - last.since > healthCheckInterval))
        }
        if openConnections < maximumConnections {
            openConnections += 1
            return .grant(.open)
        }
        waiters.append((id, waiter))
        return .wait
    }

    /// A queued caller was cancelled: returns its waiter when it was still queued (the owner
    /// resumes it with a cancellation), `nil` when it was already served.
    mutating func cancelWaiter(id: Int) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// A leased connection came back. A `reusable` one goes to the first waiter or the idle
    /// list; a broken one is discarded and its slot offered to the first waiter.
    mutating func release(_ connection: Connection, reusable: Bool, now: ContinuousClock.Instant) -> ReleaseAction {
        if isShutDown {
            openConnections -= 1
            return ReleaseAction(discard: connection)
        }
        if reusable {
            if !waiters.isEmpty {
                let first = waiters.removeFirst()
                return ReleaseAction(resume: (first.waiter, .connection(connection, checkHealth: false)))
            }
            idle.append(IdleConnection(connection: connection, since: now))
            return ReleaseAction()
        }
        openConnections -= 1
        return ReleaseAction(discard: connection, resume: handSlotToWaiter())
    }

    /// Opening a connection failed. When no other connection exists or is being opened, nothing
    /// would ever serve the queue, so every waiter is returned to be failed with the same error.
    mutating func openFailed() -> [Waiter] {
        openConnections -= 1
        guard openConnections == 0 else { return [] }
        let failed = waiters.map(\.waiter)
        waiters.removeAll()
        return failed
    }

    /// A granted slot or connection was never used (the caller was cancelled before its work
    /// started). A connection goes back as reusable; a slot passes to the first waiter.
    mutating func returnUnused(_ grant: Grant, now: ContinuousClock.Instant) -> ReleaseAction {
        switch grant {
        case .connection(let connection, _):
            return release(connection, reusable: true, now: now)
        case .open:
            openConnections -= 1
            return ReleaseAction(resume: isShutDown ? nil : handSlotToWaiter())
        }
    }

    /// Stops the pool: returns the idle connections to close and the waiters to fail. Leased
    /// connections are discarded as they come back. Returns empty lists when already shut down.
    mutating func shutDown() -> (discard: [Connection], fail: [Waiter]) {
        guard !isShutDown else { return ([], []) }
        isShutDown = true
        let discard = idle.map(\.connection)
        openConnections -= idle.count
        idle.removeAll()
        let fail = waiters.map(\.waiter)
        waiters.removeAll()
        return (discard, fail)
    }

    private mutating func handSlotToWaiter() -> (waiter: Waiter, grant: Grant)? {
        guard !waiters.isEmpty, openConnections < maximumConnections else { return nil }
        openConnections += 1
        return (waiters.removeFirst().waiter, .open)
    }
}

/// What a caller of the pool receives: a connection to use, or the right to open one in a
/// reserved slot.
enum ConnectionGrant<Connection> {
    /// Use this connection; `checkHealth` asks for a `PING` first (it sat idle for long).
    case connection(Connection, checkHealth: Bool)
    /// Open a new connection: a slot is reserved for it.
    case open
}

extension ConnectionGrant: Sendable where Connection: Sendable {}
