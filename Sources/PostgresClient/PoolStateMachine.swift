/// The bookkeeping of a connection pool, free of I/O: which connections are idle, how many are
/// leased or being opened, and who waits for one. Each event returns the action its owner must
/// perform (open a connection, hand one to a waiter, close one, fail waiters).
///
/// Waiters are served first come, first served. A connection that failed to open fails as many
/// of the oldest waiters as can no longer be served by connections still opening or leased, so
/// nobody waits for a server that is down; a waiter nobody serves within the lease timeout
/// leaves the queue (``timedOut(waiter:)``), so nobody waits for a server that hangs either.
struct PoolStateMachine<Connection> {
    /// What to do after a lease request.
    enum LeaseAction {
        /// Use this idle connection.
        case use(Connection)
        /// The waiter is queued; open a new connection when `openConnection` is true.
        case wait(openConnection: Bool)
        /// The pool is closed.
        case failClosed
    }

    /// What to do after a connection opened.
    enum OpenedAction {
        /// Hand the connection to this waiter.
        case resume(waiter: Int, Connection)
        /// The connection is now idle.
        case none
        /// The pool closed meanwhile: close the connection.
        case close(Connection)
    }

    /// What to do after a connection came back.
    enum ReleaseAction {
        /// Hand the connection to this waiter.
        case resume(waiter: Int, Connection)
        /// The connection is now idle.
        case none
        /// Close the connection; open a replacement when `openReplacement` is true.
        case close(Connection, openReplacement: Bool)
    }

    /// The most connections, open or opening.
    let maximumConnections: Int
    private(set) var idle: [Connection] = []
    private(set) var leased = 0
    private(set) var opening = 0
    private(set) var waiters: [Int] = []
    private(set) var isClosed = false

    init(maximumConnections: Int) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.maximumConnections = maximumConnections
    }

    private var total: Int { idle.count + leased + opening }

    /// Someone (`waiter`) wants a connection.
    mutating func lease(waiter: Int) -> LeaseAction {
        if isClosed { return .failClosed }
        if let connection = idle.popLast() {
            leased += 1
            return .use(connection)
        }
        waiters.append(waiter)
        guard total < maximumConnections else { return .wait(openConnection: false) }
        opening += 1
        return .wait(openConnection: true)
    }

    /// A connection opened successfully.
    mutating func opened(_ connection: Connection) -> OpenedAction {
        opening -= 1
        if isClosed { return .close(connection) }
        if waiters.isEmpty {
            idle.append(connection)
            return .none
        }
        leased += 1
        return .resume(waiter: waiters.removeFirst(), connection)
    }

    /// Opening a connection failed; returns the waiters to fail with that error.
    mutating func openFailed() -> [Int] {
        opening -= 1
        let servable = opening + leased
        let excess = waiters.count - servable
        guard excess > 0 else { return [] }
        let failed = Array(waiters.prefix(excess))
        waiters.removeFirst(excess)
        return failed
    }

    /// A leased connection came back; `reusable` is false when it is broken or mid-transaction.
    mutating func release(_ connection: Connection, reusable: Bool) -> ReleaseAction {
        leased -= 1
        if isClosed { return .close(connection, openReplacement: false) }
        guard reusable else {
            guard !waiters.isEmpty else { return .close(connection, openReplacement: false) }
            opening += 1
            return .close(connection, openReplacement: true)
        }
        if waiters.isEmpty {
            idle.append(connection)
            return .none
        }
        leased += 1
        return .resume(waiter: waiters.removeFirst(), connection)
    }

    /// A waiter waited longer than the lease timeout; true when it was still queued (then fail
    /// it with a timeout), false when it was served or failed meanwhile.
    ///
    /// A connection opening on its behalf goes on opening and serves the next waiter or becomes
    /// idle, so a slow server is not asked for a new connection per timed-out request.
    mutating func timedOut(waiter: Int) -> Bool {
        cancel(waiter: waiter)
    }

    /// A waiter gave up (its task was cancelled); true when it was still queued.
    mutating func cancel(waiter: Int) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Closes the pool; returns the idle connections to close and the waiters to fail.
    /// Leased connections are closed as they come back.
    mutating func close() -> (idle: [Connection], waiters: [Int]) {
        isClosed = true
        defer {
            idle = []
            waiters = []
        }
        return (idle, waiters)
    }
}
