/// An error from the PostgreSQL client: a failed connection, a failed query, a timeout, or a value
/// that could not be decoded.
///
/// Compare kinds with ``code`` (`error.code == .connectionFailed`). The ``description`` carries the
/// server's primary message and SQLSTATE but never the query's parameter values, the server's
/// DETAIL line (which can quote row values) or the connection string.
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed = "connection_failed"
            case queryFailed = "query_failed"
            case serializationFailure = "serialization_failure"
            case timeout = "timeout"
            case decodingFailed = "decoding_failed"
            case poolClosed = "pool_closed"
            case migrationFailed = "migration_failed"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The server could not be reached, refused the login, or the connection broke mid-call.
        public static let connectionFailed = Code(.connectionFailed)
        /// The server rejected the statement; ``PostgresError/sqlState`` says why.
        public static let queryFailed = Code(.queryFailed)
        /// A serialization failure or deadlock (SQLSTATE 40001 / 40P01): retry the transaction.
        public static let serializationFailure = Code(.serializationFailure)
        /// The statement ran past `statement_timeout` or was cancelled (SQLSTATE 57014).
        public static let timeout = Code(.timeout)
        /// A column held NULL or a value that does not convert to the requested Swift type.
        public static let decodingFailed = Code(.decodingFailed)
        /// The pool was shut down.
        public static let poolClosed = Code(.poolClosed)
        /// A migration could not be applied or an applied one was changed afterwards.
        public static let migrationFailed = Code(.migrationFailed)

        /// A short, label-safe name (`connection_failed`, `query_failed`, …) for metrics and logs.
        public var name: String { base.rawValue }

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// The five-character SQLSTATE reported by the server, when there was one.
    public let sqlState: String?
    /// A human-readable message, already scrubbed of parameter values.
    public let message: String

    /// Creates an error; `message` must not contain secrets or parameter values.
    public init(code: Code, sqlState: String? = nil, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// A short, label-safe name of the kind of failure for metrics (`connection_failed`, …).
    public var name: String { code.name }

    /// True for a unique-constraint violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// True for a foreign-key violation (SQLSTATE 23503).
    public var isForeignKeyViolation: Bool { sqlState == "23503" }

    /// The SQLSTATE class: its first two characters (`"22"` for a data exception), when there was one.
    public var sqlStateClass: Substring? { sqlState.map { $0.prefix(2) } }

    /// True when the statement's data is at fault, so running it again can never succeed: a data
    /// exception (SQLSTATE class 22, e.g. a NUL in text, a value out of range) or an integrity
    /// constraint violation (class 23: unique, foreign key, not null, check).
    ///
    /// This is the one place that decides it; callers treat such a failure as permanent for the
    /// work that carried the data, never as a database outage.
    public var isDataError: Bool {
        code == .queryFailed && (sqlStateClass == "22" || sqlStateClass == "23")
    }

    /// True when the same work may succeed if retried later: a broken connection, a timeout,
    /// a serialization failure or a deadlock.
    public var isRetryable: Bool {
        code == .connectionFailed || code == .timeout || code == .serializationFailure
    }

    public var description: String {
        if let sqlState {
            return "PostgreSQL \(code.name) (SQLSTATE \(sqlState)): \(message)"
        }
        return "PostgreSQL \(code.name): \(message)"
    }
}

extension PostgresError {
    /// Classifies a server error by its SQLSTATE.
    static func server(sqlState: String?, message: String) -> PostgresError {
        let code: Code
        switch sqlState {
        case "40001", "40P01":
            code = .serializationFailure
        case "57014", "55P03":
            code = .timeout
        case "57P01", "57P02", "57P03":
            // The server is shutting down or starting up: the connection is gone.
            code = .connectionFailed
        case let state? where state.hasPrefix("08"):
            code = .connectionFailed
        default:
            code = .queryFailed
        }
        return PostgresError(code: code, sqlState: sqlState, message: message)
    }

    static func decoding(_ message: String) -> PostgresError {
        PostgresError(code: .decodingFailed, message: message)
    }

    static let closed = PostgresError(code: .poolClosed, message: "the connection pool is shut down")

    /// Removes every parameter value from a server message.
    ///
    /// The server quotes offending input in some primary messages (`invalid input syntax for
    /// type integer: "…"`). Any quoted occurrence of a parameter's text, and any bare occurrence of
    /// one at least four characters long, is replaced, so a value never reaches a log through an
    /// error description. Over-redacting an identifier that happens to equal a value is harmless.
    static func redact(_ message: String, parameters: [String]) -> String {
        var result = message
        for parameter in parameters where !parameter.isEmpty {
            result = result.replacingAll("\"\(parameter)\"", with: "\"<redacted>\"")
            if parameter.count >= 4 {
                result = result.replacingAll(parameter, with: "<redacted>")
            }
        }
        return result
    }
}

extension String {
    /// Replaces every non-overlapping occurrence of `target` (no Foundation needed).
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var output = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            output += rest[..<range.lowerBound]
            output += replacement
            rest = rest[range.upperBound...]
        }
        output += rest
        return output
    }
}
