import Logging
import Synchronization

/// A Redis client that pipelines: a few hiredis connections, each owned by one I/O thread that
/// writes every command queued while it was busy in one go and reads the replies in order.
///
/// hiredis blocks, so it only runs on those threads, never on the cooperative pool or an event
/// loop; a caller costs a queue append and, when its thread sleeps, one wake-up. Connections
/// open on first use (then `AUTH` and `SELECT` as configured), are checked with `PING` after a
/// long idle time, and are replaced after an I/O error or timeout. Blocking commands (`BLPOP` …)
/// hold up every command behind them on their connection: keep them off a shared client.
///
/// Prefer the scoped ``withRedisClient(configuration:logger:_:)``. For a client that lives as long
/// as the process, create one, call ``run()`` in a task of the service group (it returns on
/// cancellation and then closes the connections), or call ``shutdown()`` yourself: it also ends
/// the client's threads.
public final class RedisClient: Sendable {
    /// The configuration the client was created with (its description masks the password).
    public let configuration: RedisConfiguration

    private let pipeline: RedisPipeline
    private let stopSignal: AsyncStream<Never>
    private let stopContinuation: AsyncStream<Never>.Continuation
    private let isShutDown = Atomic<Bool>(false)

    /// Creates a client. Its I/O threads (at most ``RedisConfiguration/poolSize``) start, and
    /// open their connections, only when commands need them.
    ///
    /// - Parameters:
    ///   - configuration: server, credentials, connection and queue settings.
    ///   - logger: receives connection events at debug level; never the password.
    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) {
        self.configuration = configuration
        self.pipeline = RedisPipeline(configuration: configuration, logger: logger)
        (stopSignal, stopContinuation) = AsyncStream<Never>.makeStream()
    }

    /// Sends one command given as text arguments (`["SET", "key", "value"]`) and returns the reply.
    ///
    /// - Throws: ``RedisClientError`` (an error reply becomes ``RedisClientError/Code/serverError``)
    ///   or `CancellationError` while the command is still queued; once sent, it runs to its reply.
    public func execute(_ command: [String]) async throws -> RedisReply {
        try await execute(command.map { Array($0.utf8) })
    }

    /// Sends one command given as raw byte arguments (binary-safe keys and values).
    ///
    /// - Throws: as ``execute(_:)-([String])``.
    public func execute(_ command: [[UInt8]]) async throws -> RedisReply {
        try Self.throwingErrorReply(await pipeline.submit(PipelinedCommand(arguments: command)))
    }

    /// Runs `script` with `EVALSHA`; when the server does not know it (`NOSCRIPT`), loads it with
    /// `SCRIPT LOAD` on the same connection and runs it again.
    ///
    /// - Throws: ``RedisClientError``; a script error is ``RedisClientError/Code/serverError``.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RedisReply {
        let command = ["EVALSHA", script.sha1, String(keys.count)] + keys + arguments
        return try Self.throwingErrorReply(
            await pipeline.submit(PipelinedCommand(arguments: command.map { Array($0.utf8) }, script: script)))
    }

    /// Keeps the client open until the calling task is cancelled or ``shutdown()`` is called,
    /// then closes it. Call it at most once.
    public func run() async {
        for await _ in stopSignal {}
        await shutdown()
    }

    /// Fails queued and in-flight commands with ``RedisClientError/Code/clientShutDown``, then
    /// closes the connections and waits for the I/O threads to end. Later commands throw
    /// ``RedisClientError/Code/clientShutDown``. Calling it again does nothing.
    public func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopContinuation.finish()
        await pipeline.shutDown()
    }

    /// Counts for tests and diagnostics: batches and commands written, queued and in-flight
    /// commands, open connections.
    package var pipelineStatistics: RedisPipelineStatistics { pipeline.statistics }

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
    logger: Logger = Logger(label: "redis"),
    _ body: (RedisClient) async throws -> Value
) async throws -> Value {
    let client = RedisClient(configuration: configuration, logger: logger)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}
