import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking hiredis connection. Every method blocks the calling thread, so it is only ever
/// called from a work item of the client's `NIOThreadPool`.
///
/// This object is the single owner of its `redisContext` and frees it in `deinit`.
final class RedisConnection: @unchecked Sendable {
    // @unchecked Sendable: the pool hands a connection to one caller at a time (the state machine
    // holds it either idle or leased, never both), and that caller uses it only inside one
    // thread-pool work item; the context is freed in deinit, after the last reference is gone.
    private let context: UnsafeMutablePointer<redisContext>

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// True once hiredis flagged the context (I/O error, timeout, protocol error): it must not
    /// be used again.
    var isBroken: Bool { context.pointee.err != 0 }

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

    /// Sends one command and waits for its reply. An error reply is returned as
    /// ``RedisReply/error(_:)``; only transport failures throw.
    func command(_ arguments: [[UInt8]]) throws(RedisClientError) -> RedisReply {
        var buffer: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            buffer.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        // A non-empty buffer always has a base address, even when every argument is empty.
        buffer.append(0)
        let raw = buffer.withUnsafeBufferPointer { bytes -> UnsafeMutableRawPointer? in
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
                    redisCommandArgv(context, Int32(arguments.count), argv.baseAddress, argvLengths.baseAddress)
                }
            }
        }
        guard let raw else { throw transportError() }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return try RedisReply(hiredis: reply)
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
