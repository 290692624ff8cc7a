import Foundation
import Resilience

/// How a ``PostgresPool`` connects and how big it is.
///
/// The connection string may hold a password; it is never logged and never part of
/// ``description``.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A libpq connection string: a URL (`postgresql://user:pass@host:5432/db`) or
    /// `key=value` pairs.
    public var connectionString: String
    /// The most connections open at once (default 4).
    public var poolSize: Int
    /// How long opening one connection may take (default 5 s; libpq rounds to whole seconds,
    /// at least 2).
    public var connectTimeout: Duration
    /// The server-side limit for one statement (`statement_timeout`); `nil` means none
    /// (default 30 s).
    public var statementTimeout: Duration?
    /// The longest wait for a connection from the pool, opening one included; past it the lease
    /// fails with `timeout`, so a database that hangs (or a pool held by slow statements) is an
    /// error the caller can answer promptly rather than a wait without end. `nil` (the default)
    /// waits as long as it takes: a request path (the gateway) sets one; a pipeline whose waits
    /// are its backpressure (the batch worker) need not.
    public var leaseTimeout: Duration?
    /// The schema search path (`search_path`) for every connection; `nil` keeps the server's.
    public var searchPath: [String]?
    /// The `application_name` shown in `pg_stat_activity` (default `triton-gateway`).
    public var applicationName: String

    /// Creates a configuration with the documented defaults.
    public init(
        connectionString: String,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(5),
        statementTimeout: Duration? = .seconds(30),
        leaseTimeout: Duration? = nil,
        searchPath: [String]? = nil,
        applicationName: String = "triton-gateway"
    ) {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.leaseTimeout = leaseTimeout
        self.searchPath = searchPath
        self.applicationName = applicationName
    }

    public var description: String {
        "PostgresConfiguration(poolSize: \(poolSize), connectTimeout: \(connectTimeout), "
            + "statementTimeout: \(statementTimeout.map { "\($0)" } ?? "none"), "
            + "leaseTimeout: \(leaseTimeout.map { "\($0)" } ?? "none"), "
            + "applicationName: \(applicationName))"
    }

    /// The keyword/value pairs given to `PQconnectdbParams`. The connection string comes first
    /// (expanded by libpq), so the settings after it take precedence over anything it names.
    var connectionParameters: [(keyword: String, value: String)] {
        let timeoutSeconds = max(2, Int((connectTimeout.milliseconds + 999) / 1000))
        var settings: [(String, String)] = [
            // Fixed output formats the decoders rely on.
            ("DateStyle", "ISO"),
            ("TimeZone", "UTC"),
            ("bytea_output", "hex"),
            ("client_encoding", "UTF8"),
        ]
        if let statementTimeout {
            settings.append(("statement_timeout", String(max(1, statementTimeout.milliseconds))))
        } else {
            settings.append(("statement_timeout", "0"))
        }
        if let searchPath {
            settings.append(("search_path", searchPath.map(Self.quoteIdentifier).joined(separator: ",")))
        }
        let options = settings.map { "-c \(Self.escapeOption($0.0))=\(Self.escapeOption($0.1))" }
            .joined(separator: " ")
        return [
            ("dbname", connectionString),
            ("connect_timeout", String(timeoutSeconds)),
            ("application_name", applicationName),
            ("options", options),
        ]
    }

    /// Quotes a schema name as an SQL identifier (`"name"`, inner quotes doubled).
    private static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Escapes a value inside libpq's `options` keyword, where spaces separate arguments.
    private static func escapeOption(_ value: String) -> String {
        var escaped = ""
        for character in value {
            if character == " " || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension Duration {
    /// The whole milliseconds in this duration (rounded down).
    var milliseconds: Int64 { wholeMilliseconds }
}
