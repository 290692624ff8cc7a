/// An error from the Redis client: no connection, a timeout, a broken connection, an error reply
/// from the server, or a reply the client could not read.
///
/// Compare kinds with ``code`` (`error.code == .timeout`). The ``description`` never contains the
/// password, and server messages that quote command arguments are cut before the quote.
public struct RedisClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed = "connection_failed"
            case timeout = "timeout"
            case ioError = "io_error"
            case serverError = "server_error"
            case protocolError = "protocol_error"
            case clientShutDown = "client_shut_down"
            case queueFull = "queue_full"
            case invalidConfiguration = "invalid_configuration"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// No connection could be made: refused, unreachable, connect timeout, AUTH or SELECT rejected.
        public static let connectionFailed = Code(.connectionFailed)
        /// The server did not answer within the command timeout; the connection was discarded.
        public static let timeout = Code(.timeout)
        /// The connection broke while a command was in flight; it may or may not have run.
        public static let ioError = Code(.ioError)
        /// The server answered with an error reply (`ERR …`, `WRONGTYPE …`, `NOSCRIPT …`).
        public static let serverError = Code(.serverError)
        /// The server's reply could not be parsed; the connection was discarded.
        public static let protocolError = Code(.protocolError)
        /// The client was shut down before the command's reply arrived.
        public static let clientShutDown = Code(.clientShutDown)
        /// ``RedisConfiguration/maximumQueuedCommands`` commands were already waiting to be sent;
        /// this one was refused at once and never sent.
        public static let queueFull = Code(.queueFull)
        /// The configuration (for example a `REDIS_URL`) is not usable.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        /// A short, label-safe name (`connection_failed`, `timeout`, …) for metrics and logs.
        public var name: String { base.rawValue }

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation, free of passwords and command arguments.
    public let message: String

    /// Creates an error; `message` must not contain secrets or command arguments.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// A short, label-safe name of the kind of failure for metrics (`connection_failed`, …).
    public var name: String { code.name }

    /// The first word of a server error reply (`ERR`, `NOSCRIPT`, `WRONGPASS`, …), for
    /// ``Code/serverError`` only.
    public var serverErrorPrefix: String? {
        guard code == .serverError else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    /// True when the command certainly did not reach the server and may be sent again as is.
    public var isSafeToRetry: Bool { code == .connectionFailed || code == .queueFull }

    public var description: String { "Redis \(code.name): \(message)" }

    static func connectionFailed(_ message: String) -> Self { Self(code: .connectionFailed, message: message) }
    static func timeout(_ message: String) -> Self { Self(code: .timeout, message: message) }
    static func ioError(_ message: String) -> Self { Self(code: .ioError, message: message) }
    static func protocolError(_ message: String) -> Self { Self(code: .protocolError, message: message) }
    static func invalidConfiguration(_ message: String) -> Self {
        Self(code: .invalidConfiguration, message: message)
    }
    static let clientShutDown = Self(code: .clientShutDown, message: "the Redis client is shut down")
    static func queueFull(limit: Int) -> Self {
        Self(code: .queueFull, message: "\(limit) commands are already waiting to be sent to Redis")
    }

    /// A server error reply, scrubbed: Redis quotes the arguments of some rejected commands
    /// ("… with args beginning with: 'x'"), and those may be user data.
    static func serverError(_ serverMessage: String) -> Self {
        Self(code: .serverError, message: scrubbed(serverMessage))
    }

    /// `message` with argument quotes cut off and every occurrence of `secret` masked.
    static func scrubbed(_ message: String, hiding secret: String? = nil) -> String {
        var text = message
        if let quote = text.firstRange(of: ", with args beginning with:") {
            text = String(text[..<quote.lowerBound])
        }
        if let secret, !secret.isEmpty {
            text = text.replacing(secret, with: "***")
        }
        return text
    }
}
