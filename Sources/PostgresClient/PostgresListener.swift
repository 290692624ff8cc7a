import Foundation
import Logging
import Synchronization

/// Receives PostgreSQL notifications (`LISTEN` / `NOTIFY`) on one connection of its own, outside
/// any pool, on a thread of its own.
///
/// ```swift
/// let listener = PostgresListener(
///     configuration: .init(connection: .init(connectionString: url), channel: "api_key_changes"), logger: logger)
/// await listener.run { event in … }  // until the task is cancelled
/// ```
///
/// ``run(_:)`` connects, issues `LISTEN`, reports ``Event/resynchronise`` and then each
/// notification as it arrives. PostgreSQL does not keep notifications for a session that is not
/// listening, so after a lost connection the listener reconnects with backoff and reports
/// ``Event/resynchronise`` again once it listens: whatever the handler derives from
/// notifications must then be checked afresh. The handler runs on the listener's thread: keep it
/// short and never block in it.
///
/// The listener needs a session of its own on the server: through a transaction-pooling proxy
/// (PgBouncer `pool_mode = transaction`) `LISTEN` is accepted and nothing ever arrives.
public final class PostgresListener: Sendable {
    /// What the listener reports.
    public enum Event: Sendable, Hashable {
        /// A `NOTIFY` on the channel, with its payload ("" when none).
        case notification(channel: String, payload: String)
        /// The listener is listening (first connect or a reconnect): notifications sent before
        /// this point may have been missed.
        case resynchronise
        /// The connection was lost; the listener is reconnecting.
        case connectionLost
    }

    /// Where and how the listener connects.
    public struct Configuration: Sendable {
        /// The server and connection settings (`poolSize` is not used; `connectTimeout` bounds
        /// each connection attempt).
        public var connection: PostgresConfiguration
        /// The channel to `LISTEN` on (any text without NUL; quoted as an identifier).
        public var channel: String
        /// The longest the thread waits on the socket before checking for shutdown. Default 100 ms.
        public var pollInterval: Duration
        /// The wait before the first reconnection attempt, doubled after each failure.
        /// Default 100 ms.
        public var initialBackoff: Duration
        /// The longest wait between reconnection attempts. Default 5 s.
        public var maximumBackoff: Duration

        /// A configuration with the documented defaults.
        public init(
            connection: PostgresConfiguration, channel: String, pollInterval: Duration = .milliseconds(100),
            initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(5)
        ) {
            self.connection = connection
            self.channel = channel
            self.pollInterval = pollInterval
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// Set by a cancelled ``run(_:)`` and read by its thread, which stops at its next check.
    final class StopFlag: Sendable {
        private let value = Atomic<Bool>(false)

        var isSet: Bool { value.load(ordering: .acquiring) }

        func set() { value.store(true, ordering: .releasing) }
    }

    /// The settings the listener was made with.
    public let configuration: Configuration
    let logger: Logger
    /// The server process id of the listening session; 0 while not listening.
    let listeningPID = Atomic<Int32>(0)
    private let running = Atomic<Bool>(false)

    /// A listener for `configuration`; nothing connects until ``run(_:)``.
    public init(configuration: Configuration, logger: Logger = Logger(label: "PostgresClient")) {
        precondition(!configuration.channel.utf8.contains(0), "a channel name cannot contain NUL")
        self.configuration = configuration
        self.logger = logger
    }

    /// The server process id (`pg_backend_pid()`) of the session listening now; nil while not
    /// listening. For diagnostics and tests (`pg_terminate_backend`).
    public var backendPID: Int32? {
        let pid = listeningPID.load(ordering: .acquiring)
        return pid == 0 ? nil : pid
    }

    /// Listens until the calling task is cancelled, reporting events to `handler` from the
    /// listener's thread; returns within about ``Configuration/pollInterval`` of cancellation.
    ///
    /// One run at a time: a second concurrent call logs an error and returns at once.
    public func run(_ handler: @escaping @Sendable (Event) -> Void) async {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else {
            logger.error("postgres.listener.already_running")
            return
        }
        defer { running.store(false, ordering: .releasing) }
        let stop = StopFlag()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    loop(stop: stop, handler: handler)
                    continuation.resume()
                }
                thread.name = "postgres-listener"
                thread.start()
            }
        } onCancel: {
            stop.set()
        }
    }

    /// The thread's loop: connect and listen, deliver until the connection is lost, wait the
    /// backoff, again; until `stop` is set.
    private func loop(stop: StopFlag, handler: (Event) -> Void) {
        var backoff = configuration.initialBackoff
        var failures = 0
        while !stop.isSet {
            let session: ListenerSession
            do {
                session = try ListenerSession.open(configuration: configuration, stop: stop)
            } catch is ListenerSession.Stopped {
                return
            } catch {
                failures += 1
                // The first failure of a series is worth a warning; the retries that follow are not.
                let level: Logger.Level = failures == 1 ? .warning : .debug
                logger.log(
                    level: level, "postgres.listener.connect_failed", metadata: [PostgresLogKey.error: "\(error)"])
                ListenerSession.sleep(backoff, pollInterval: configuration.pollInterval, stop: stop)
                backoff = min(backoff * 2, configuration.maximumBackoff)
                continue
            }
            listeningPID.store(session.backendPID, ordering: .releasing)
            logger.info("postgres.listener.listening")
            failures = 0
            backoff = configuration.initialBackoff
            handler(.resynchronise)
            let lost = session.receive(pollInterval: configuration.pollInterval, stop: stop, handler: handler)
            listeningPID.store(0, ordering: .releasing)
            session.close()
            if let lost {
                logger.warning("postgres.listener.connection_lost", metadata: [PostgresLogKey.error: "\(lost)"])
                handler(.connectionLost)
            }
        }
    }
}
