import CLibpq
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One listening libpq session, used only on the listener's thread, which owns and frees the
/// `PGconn`. Every wait is a `poll()` on the connection's socket bounded by the poll interval, so
/// a stop request is seen promptly even while connecting.
final class ListenerSession {
    /// Thrown when the listener was asked to stop while connecting.
    struct Stopped: Error {}

    private enum Readiness {
        case ready
        case timedOut
        case stopped
    }

    private var pointer: OpaquePointer?
    private let pollInterval: Duration

    private init(pointer: OpaquePointer, pollInterval: Duration) {
        self.pointer = pointer
        self.pollInterval = pollInterval
    }

    deinit { close() }

    /// The server process id of this session.
    var backendPID: Int32 { pointer.map(PQbackendPID) ?? 0 }

    /// Connects without blocking past the poll interval (`PQconnectStartParams` and
    /// `PQconnectPoll`), bounded by the configuration's connect timeout, and runs `LISTEN`.
    ///
    /// - Throws: ``PostgresError`` (`connectionFailed`, `timeout`, or the `LISTEN`'s failure), or
    ///   ``Stopped``.
    static func open(configuration: PostgresListener.Configuration, stop: PostgresListener.StopFlag) throws
        -> ListenerSession
    {
        let connection = configuration.connection
        guard let password = PostgresConnection.parsePassword(connection.connectionString) else {
            throw PostgresError(code: .connectionFailed, message: "the connection string is not valid")
        }
        // TCP keepalives let a silent network failure end the session (about 25 s) instead of
        // leaving it waiting for notifications that can no longer arrive.
        let parameters =
            connection.connectionParameters + [
                ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
            ]
        let started = PostgresConnection.withCStrings(parameters.map(\.keyword) + [nil]) { keywords in
            PostgresConnection.withCStrings(parameters.map(\.value) + [nil]) { values in
                PQconnectStartParams(keywords, values, 1)
            }
        }
        guard let started else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        let session = ListenerSession(pointer: started, pollInterval: configuration.pollInterval)
        do {
            try session.connect(deadline: .now + connection.connectTimeout, stop: stop)
        } catch let error as PostgresError {
            throw PostgresError(
                code: error.code, sqlState: error.sqlState,
                message: PostgresError.redact(error.message, parameters: password.isEmpty ? [] : [password]))
        }
        // libpq prints notices, and an error the server sends while the session is idle (the
        // FATAL of `pg_terminate_backend`), to stderr unless a receiver takes them; the lost
        // connection is reported by the next read instead.
        PQsetNoticeReceiver(started, { _, _ in }, nil)
        let quoted = "\"" + configuration.channel.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try session.execute("LISTEN " + quoted, deadline: .now + connection.connectTimeout, stop: stop)
        return session
    }

    /// Delivers notifications to `handler` until `stop` is set (returns nil) or the connection is
    /// lost (returns why).
    func receive(pollInterval: Duration, stop: PostgresListener.StopFlag, handler: (PostgresListener.Event) -> Void)
        -> PostgresError?
    {
        guard let pointer else { return PostgresError(code: .connectionFailed, message: "the connection is closed") }
        while true {
            drainNotifications(handler)
            switch wait(for: Int16(POLLIN), until: nil, stop: stop) {
            case .stopped: return nil
            case .ready, .timedOut: break
            }
            if PQconsumeInput(pointer) == 0 || PQstatus(pointer) != CONNECTION_OK {
                drainNotifications(handler)
                return PostgresError(code: .connectionFailed, message: PostgresConnection.errorMessage(pointer))
            }
        }
    }

    /// Frees the connection; idempotent.
    func close() {
        if let pointer { PQfinish(pointer) }
        pointer = nil
    }

    /// Waits `duration` in slices of `pollInterval`, returning early when `stop` is set.
    static func sleep(_ duration: Duration, pollInterval: Duration, stop: PostgresListener.StopFlag) {
        let deadline = ContinuousClock.now + duration
        while !stop.isSet {
            let left = deadline - .now
            guard left > .zero else { return }
            let slice = min(left, pollInterval)
            usleep(useconds_t(max(1, slice.milliseconds) * 1000))
        }
    }

    // MARK: - libpq steps

    private func connect(deadline: ContinuousClock.Instant, stop: PostgresListener.StopFlag) throws {
        guard let pointer else { throw PostgresError(code: .connectionFailed, message: "the connection is closed") }
        var status = PGRES_POLLING_WRITING
        while true {
            guard PQstatus(pointer) != CONNECTION_BAD, status != PGRES_POLLING_FAILED else {
                throw PostgresError(code: .connectionFailed, message: PostgresConnection.errorMessage(pointer))
            }
            if status == PGRES_POLLING_OK { return }
            let events = status == PGRES_POLLING_READING ? Int16(POLLIN) : Int16(POLLOUT)
            switch wait(for: events, until: deadline, stop: stop) {
            case .stopped: throw Stopped()
            case .timedOut:
                throw PostgresError(
                    code: .connectionFailed, message: "the server did not accept the connection in time")
            case .ready: status = PQconnectPoll(pointer)
            }
        }
    }

    /// Runs one parameterless command without blocking past the poll interval.
    private func execute(_ sql: String, deadline: ContinuousClock.Instant, stop: PostgresListener.StopFlag) throws {
        guard let pointer, PQsendQuery(pointer, sql) == 1 else {
            throw PostgresError(
                code: .connectionFailed, message: pointer.map(PostgresConnection.errorMessage) ?? "no connection")
        }
        var failure: PostgresError?
        while true {
            while PQisBusy(pointer) == 0 {
                guard let result = PQgetResult(pointer) else {
                    if let failure { throw failure }
                    return
                }
                if PQresultStatus(result) != PGRES_COMMAND_OK {
                    let sqlState = PQresultErrorField(result, Int32(UnicodeScalar("C").value)).map {
                        String(cString: $0)
                    }
                    failure = PostgresError.server(
                        sqlState: sqlState, message: PostgresConnection.errorMessage(pointer))
                }
                PQclear(result)
            }
            switch wait(for: Int16(POLLIN), until: deadline, stop: stop) {
            case .stopped: throw Stopped()
            case .timedOut: throw PostgresError(code: .timeout, message: "the server did not answer LISTEN in time")
            case .ready: break
            }
            if PQconsumeInput(pointer) == 0 {
                throw PostgresError(code: .connectionFailed, message: PostgresConnection.errorMessage(pointer))
            }
        }
    }

    /// Hands every queued notification to `handler`, freeing each.
    private func drainNotifications(_ handler: (PostgresListener.Event) -> Void) {
        guard let pointer else { return }
        while let notify = PQnotifies(pointer) {
            let channel = String(cString: notify.pointee.relname)
            let payload = notify.pointee.extra.map { String(cString: $0) } ?? ""
            PQfreemem(notify)
            handler(.notification(channel: channel, payload: payload))
        }
    }

    /// Waits until the socket is ready for `events` (an error or hang-up counts as ready: the
    /// next libpq call reports it), `deadline` passes, or `stop` is set.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant?, stop: PostgresListener.StopFlag)
        -> Readiness
    {
        while true {
            if stop.isSet { return .stopped }
            var slice = pollInterval
            if let deadline {
                let left = deadline - .now
                guard left > .zero else { return .timedOut }
                slice = min(slice, left)
            }
            guard let pointer, case let socket = PQsocket(pointer), socket >= 0 else { return .ready }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let result = poll(&descriptor, 1, Int32(max(1, slice.milliseconds)))
            if result > 0 || (result < 0 && errno != EINTR) { return .ready }
        }
    }
}
