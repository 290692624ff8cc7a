import CLibpq
import Logging
import NIOPosix
import Synchronization

/// One libpq connection, leased from a ``PostgresPool`` for the length of a
/// `withConnection { }` or `withTransaction { }` body.
///
/// Every blocking libpq call runs on the pool's `NIOThreadPool`, never on the caller's thread.
/// Statements on one connection run one after another; run concurrent work on separate leases.
public final class PostgresConnection: Sendable {
    /// The libpq handle and what is known about its health.
    ///
    /// `@unchecked Sendable` because of the raw `PGconn` pointer: it is only reachable through the
    /// `handle` mutex, so no two threads use it at once, which is all libpq requires of a
    /// connection moved between threads.
    struct Handle: @unchecked Sendable {
        var pointer: OpaquePointer?
        var broken = false
    }

    /// Serializes every use of the `PGconn`, which libpq does not allow from two threads at once.
    let handle: Mutex<Handle>
    let threadPool: NIOThreadPool
    let logger: Logger

    init(pointer: OpaquePointer, threadPool: NIOThreadPool, logger: Logger) {
        self.handle = Mutex(Handle(pointer: pointer))
        self.threadPool = threadPool
        self.logger = logger
        // Without a receiver libpq prints notices (and their DETAIL lines, which may quote row
        // values) to stderr. The pointer is unretained: libpq only calls the receiver during
        // calls on this connection's handle, which exist only while this object does.
        PQsetNoticeReceiver(
            pointer,
            { context, result in
                guard let context, let result else { return }
                Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue().log(notice: result)
            },
            Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        handle.withLock { handle in
            if let pointer = handle.pointer { PQfinish(pointer) }
            handle.pointer = nil
        }
    }

    /// Runs one statement with `$1…$n` bound to `parameters` and returns its rows.
    ///
    /// Values never become part of the SQL text. A `nil` parameter is SQL NULL.
    /// - Throws: ``PostgresError``; `connectionFailed` when the connection broke (the pool then
    ///   replaces it), `timeout` when `statement_timeout` fired.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue?] = []) async throws -> PostgresRows {
        try await onThreadPool { try self.execute(sql, parameters) }
    }

    /// Runs SQL text that takes no parameters and may hold several statements (a migration).
    func executeScript(_ sql: String) async throws {
        try await onThreadPool { try self.execute(script: sql) }
    }

    /// The server process id serving this connection (`pg_backend_pid()`), for diagnostics.
    public var backendPID: Int32 {
        handle.withLock { handle in handle.pointer.map { PQbackendPID($0) } ?? 0 }
    }

    /// True when the connection can go back to the pool: not broken, open, and outside any
    /// transaction (a body that issued `BEGIN` without finishing it leaves it unusable).
    var isReusable: Bool {
        handle.withLock { handle in
            guard let pointer = handle.pointer, !handle.broken, PQstatus(pointer) == CONNECTION_OK else {
                return false
            }
            return PQtransactionStatus(pointer) == PQTRANS_IDLE
        }
    }

    /// Checks, without blocking, whether the server has closed this idle connection.
    ///
    /// The socket is non-blocking inside libpq, so reading what is pending returns at once. A
    /// server that shut down first sends a termination message and then closes the socket, so
    /// two reads are needed to see the end of the stream.
    func isAlive() -> Bool {
        handle.withLock { handle in
            guard let pointer = handle.pointer, !handle.broken else { return false }
            for _ in 0..<2 where PQconsumeInput(pointer) == 0 {
                handle.broken = true
                return false
            }
            return PQstatus(pointer) == CONNECTION_OK
        }
    }

    /// Closes the connection; later statements fail with `connectionFailed`.
    func close() {
        handle.withLock { handle in
            if let pointer = handle.pointer { PQfinish(pointer) }
            handle.pointer = nil
            handle.broken = true
        }
    }

    /// Logs a server notice at debug level: its severity and SQLSTATE only, since the message
    /// text can hold values.
    private func log(notice result: OpaquePointer) {
        guard logger.logLevel <= .debug else { return }
        let severity = PQresultErrorField(result, Int32(UnicodeScalar("V").value)).map { String(cString: $0) }
        let sqlState = PQresultErrorField(result, Int32(UnicodeScalar("C").value)).map { String(cString: $0) }
        logger.debug(
            "postgres.notice",
            metadata: [
                PostgresLogKey.severity: "\(severity ?? "NOTICE")", PostgresLogKey.sqlState: "\(sqlState ?? "")",
            ])
    }

    private func onThreadPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await threadPool.runIfActive(body)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw PostgresError.closed
        }
    }
}
