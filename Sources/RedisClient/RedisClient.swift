import Logging
import NIOPosix
import Synchronization

/// A Redis client over a pool of hiredis connections.
///
/// hiredis blocks, so every command runs on an `NIOThreadPool`, never on the cooperative pool or
/// an event loop. Connections open on first use (then `AUTH` and `SELECT` as configured), are
/// checked with `PING` after a long idle time, and are replaced after an I/O error or timeout.
///
/// Prefer the scoped ``withRedisClient(configuration:logger:_:)``. For a client that lives as long
/// as the process, create one, call ``run()`` in a task of the service group (it returns on
/// cancellation and then closes the connections), or call ``shutdown()`` yourself.
public final class RedisClient: Sendable {
    /// The configuration the client was created with (its description masks the password).
    public let configuration: RedisConfiguration

    private let pool: RedisConnectionPool
    private let ownedThreadPool: NIOThreadPool?
    private let logger: Logger
    private let stopSignal: AsyncStream<Never>
    private let stopContinuation: AsyncStream<Never>.Continuation
    private let isShutDown = Atomic<Bool>(false)

    /// Creates a client; no connection is opened until the first command.
    ///
    /// - Parameters:
    ///   - configuration: server, credentials and pool settings.
    ///   - threadPool: a started pool to run the blocking calls on, owned by the caller; `nil`
    ///     makes the client start its own with one thread per pooled connection and stop it in
    ///     ``shutdown()``.
    ///   - logger: receives connection events at debug level; never the password.
    public init(
        configuration: RedisConfiguration,
        threadPool: NIOThreadPool? = nil,
        logger: Logger = Logger(label: "redis")
    ) {
        self.configuration = configuration
        self.logger = logger
        let pool: NIOThreadPool
        if let threadPool {
            pool = threadPool
            ownedThreadPool = nil
        } else {
            pool = NIOThreadPool(numberOfThreads: max(1, configuration.poolSize))
            pool.start()
            ownedThreadPool = pool
        }
        self.pool = RedisConnectionPool(configuration: configuration, threadPool: pool, logger: logger)
        (stopSignal, stopContinuation) = AsyncStream<Never>.makeStream()
    }

    /// Sends one command given as text arguments (`["SET", "key", "value"]`) and returns the reply.
    ///
    /// - Throws: ``RedisClientError`` (an error reply becomes ``RedisClientError/Code/serverError``)
    ///   or `CancellationError` while waiting for a free connection.
    public func execute(_ command: [String]) async throws -> RedisReply {
        try await execute(command.map { Array($0.utf8) })
    }

    /// Sends one command given as raw byte arguments (binary-safe keys and values).
    ///
    /// - Throws: as ``execute(_:)-([String])``.
    public func execute(_ command: [[UInt8]]) async throws -> RedisReply {
        try await pool.withConnection { connection in
            Result { () throws(RedisClientError) in
                try Self.throwingErrorReply(connection.command(command))
            }
        }
    }

    /// Runs `script` with `EVALSHA`; when the server does not know it (`NOSCRIPT`), loads it with
    /// `SCRIPT LOAD` on the same connection and runs it again.
    ///
    /// - Throws: ``RedisClientError``; a script error is ``RedisClientError/Code/serverError``.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RedisReply {
        let tail = [String(keys.count)] + keys + arguments
        let evalSHA = ["EVALSHA", script.sha1] + tail
        return try await pool.withConnection { connection in
            Result { () throws(RedisClientError) in
                let first = try connection.command(evalSHA)
                guard case .error(let message) = first, message.hasPrefix("NOSCRIPT") else {
                    return try Self.throwingErrorReply(first)
                }
                let loaded = try Self.throwingErrorReply(connection.command(["SCRIPT", "LOAD", script.source]))
                guard loaded.stringValue == script.sha1 else {
                    throw .protocolError("SCRIPT LOAD returned a digest that differs from the script's SHA1")
                }
                return try Self.throwingErrorReply(connection.command(evalSHA))
            }
        }
    }

    /// Keeps the client open until the calling task is cancelled or ``shutdown()`` is called,
    /// then closes it. Call it at most once.
    public func run() async {
        for await _ in stopSignal {}
        await shutdown()
    }

    /// Fails queued commands, closes idle connections (leased ones close when their command
    /// ends) and stops the client's own thread pool. Later commands throw
    /// ``RedisClientError/Code/clientShutDown``. Calling it again does nothing.
    public func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopContinuation.finish()
        pool.shutDown()
        if let ownedThreadPool {
            do {
                try await ownedThreadPool.shutdownGracefully()
            } catch {
                logger.debug("redis.threadpool.shutdown_failed", metadata: ["redis.error": "\(error)"])
            }
        }
    }

    /// Counts for tests and diagnostics: connections that exist, idle ones, queued callers.
    package var poolStatistics: (open: Int, idle: Int, waiting: Int) { pool.statistics }

    private static func throwingErrorReply(_ reply: RedisReply) throws(RedisClientError) -> RedisReply {
        if case .error(let message) = reply { throw .serverError(message) }
        return reply
    }
}

/// Creates a ``RedisClient``, runs `body` with it, and shuts it down when `body` returns or throws.
///
/// - Throws: whatever `body` throws.
public func withRedisClient<Value>(
    configuration: RedisConfiguration,
    threadPool: NIOThreadPool? = nil,
    logger: Logger = Logger(label: "redis"),
    _ body: (RedisClient) async throws -> Value
) async throws -> Value {
    let client = RedisClient(configuration: configuration, threadPool: threadPool, logger: logger)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}
