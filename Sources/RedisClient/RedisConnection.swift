import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking hiredis connection. Every method except ``interrupt()`` blocks the calling
/// thread, so it is only ever called from the I/O thread that owns the connection.
///
/// This object is the single owner of its `redisContext` and frees it in `deinit`.
final class RedisConnection: @unchecked Sendable {
    // @unchecked Sendable: only the I/O thread that opened a connection calls its blocking methods
    // and touches the context. Other threads may hold a reference only to call `interrupt()`,
    // which uses the immutable `socket` and never the context; the context (and with it the
    // socket) is freed in deinit, after the last reference is gone, so that socket is never a
    // closed or reused descriptor.
    private let context: UnsafeMutablePointer<redisContext>
    /// The connection's socket, read once at connect time.
    private let socket: Int32

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
        self.socket = Int32(context.pointee.fd)
    }

    deinit {
        redisFree(context)
    }

    /// True once hiredis flagged the context (I/O error, timeout, protocol error): it must not
    /// be used again.
    var isBroken: Bool { context.pointee.err != 0 }

    /// Shuts the socket down, so that a read or write blocked on it (or started later) fails at
    /// once. The only method safe to call from any thread. (The I/O threads block `SIGPIPE`, so
    /// the failed write is an error, not a signal.)
    func interrupt() {
        _ = shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Connects, sets the command timeout and TCP keep-alive, then sends `AUTH` and `SELECT`
    /// when the configuration asks for them.
    static func connect(_ configuration: RedisConfiguration) throws(RedisClientError) -> RedisConnection {
        let endpoint = "\(configuration.host):\(configuration.port)"
        guard
            let context = redisConnectWithTimeout(
                configuration.host, Int32(configuration.port), makeTimeval(configuration.connectTimeout))
        else {
            throw .connectionFailed("cannot allocate a connection to \(endpoint)")
        }
        let connection = RedisConnection(context: context)
        guard context.pointee.err == 0 else {
            throw .connectionFailed("cannot connect to \(endpoint): \(connection.hiredisMessage)")
        }
        guard redisSetTimeout(context, makeTimeval(configuration.commandTimeout)) == REDIS_OK else {
            throw .connectionFailed("cannot set the command timeout on \(endpoint)")
        }
        _ = redisEnableKeepAlive(context)
        if let password = configuration.password {
            var auth = ["AUTH"]
            if let username = configuration.username { auth.append(username) }
            auth.append(password)
            try connection.handshake(auth, step: "authentication", endpoint: endpoint, secret: password)
        }
        if let database = configuration.database, database != 0 {
            try connection.handshake(["SELECT", String(database)], step: "SELECT", endpoint: endpoint, secret: nil)
        }
        return connection
    }

    /// Writes every command at once, then reads their replies in order. An error reply is a
    /// ``RedisReply/error(_:)`` success; a transport failure fails the command it happened on and
    /// every later one (the earlier ones were answered, so they keep their replies) and leaves the
    /// connection ``isBroken``.
    func pipeline(_ commands: [[[UInt8]]]) -> [Result<RedisReply, RedisClientError>] {
        for (index, arguments) in commands.enumerated() where !append(arguments) {
            // Only an allocation failure makes appending fail. Nothing was sent, but the commands
            // before this one sit in the output buffer: flag the context so it is never used again.
            context.pointee.err = REDIS_ERR_OOM
            return Array(
                repeating: .failure(.ioError("cannot buffer command \(index + 1) of a batch")), count: commands.count)
        }
        var results: [Result<RedisReply, RedisClientError>] = []
        results.reserveCapacity(commands.count)
        while results.count < commands.count {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                let error = transportError()
                results.append(contentsOf: repeatElement(.failure(error), count: commands.count - results.count))
                break
            }
            defer { freeReplyObject(raw) }
            results.append(
                Result { () throws(RedisClientError) in
                    try RedisReply(hiredis: raw.assumingMemoryBound(to: redisReply.self))
                })
        }
        return results
    }

    /// Sends one command and waits for its reply. An error reply is returned as
    /// ``RedisReply/error(_:)``; only transport failures throw.
    func command(_ arguments: [[UInt8]]) throws(RedisClientError) -> RedisReply {
        try pipeline([arguments])[0].get()
    }

    /// Sends one command given as text arguments.
    func command(_ arguments: [String]) throws(RedisClientError) -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    /// True when the server answers `PING`.
    func ping() -> Bool {
        guard !isBroken, let reply = try? command(["PING"]) else { return false }
        return reply == .status("PONG")
    }

    private func handshake(
        _ arguments: [String], step: String, endpoint: String, secret: String?
    ) throws(RedisClientError) {
        let reply: RedisReply
        do {
            reply = try command(arguments)
        } catch {
            throw .connectionFailed("\(step) with \(endpoint) failed: \(error.message)")
        }
        if case .error(let message) = reply {
            let safe = RedisClientError.scrubbed(message, hiding: secret)
            throw .connectionFailed("\(step) with \(endpoint) was rejected: \(safe)")
        }
    }

    /// Adds one command to the context's output buffer (nothing is sent yet).
    private func append(_ arguments: [[UInt8]]) -> Bool {
        var buffer: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            buffer.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        // A non-empty buffer always has a base address, even when every argument is empty.
        buffer.append(0)
        let status = buffer.withUnsafeBufferPointer { bytes -> Int32 in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(arguments.count)
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvLengths in
                    redisAppendCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvLengths.baseAddress)
                }
            }
        }
        return status == REDIS_OK
    }

    /// Maps the context's error flag (set by a failed call) to an error.
    private func transportError() -> RedisClientError {
        let code = errno
        let message = hiredisMessage
        switch context.pointee.err {
        case REDIS_ERR_IO:
            if code == EAGAIN || code == EWOULDBLOCK || code == ETIMEDOUT
                || message.contains("temporarily unavailable") || message.contains("timed out")
            {
                return .timeout("no reply within the command timeout")
            }
            return .ioError(message.isEmpty ? "I/O error" : message)
        case REDIS_ERR_EOF:
            return .ioError("the server closed the connection")
        case REDIS_ERR_PROTOCOL:
            return .protocolError(message)
        case 0:
            return .ioError("hiredis returned no reply")
        default:
            return .ioError(message)
        }
    }

    private var hiredisMessage: String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<length], as: UTF8.self)
        }
    }
}

/// A `timeval` for a duration (whole microseconds, never negative).
private func makeTimeval(_ duration: Duration) -> timeval {
    let (seconds, attoseconds) = duration.components
    guard seconds >= 0 else { return timeval(tv_sec: 0, tv_usec: 0) }
    return timeval(tv_sec: .init(seconds), tv_usec: .init(attoseconds / 1_000_000_000_000))
}
