/// Where the Redis server is, how to log in, and how the client's connections behave.
///
/// Build it from a URL (`redis://[[user]:password@]host[:port][/db]`) with ``init(url:)`` or from
/// parts. The ``description`` masks the password, so the value can be logged.
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port; default 6379.
    public var port: Int
    /// ACL user name for `AUTH user password` (Redis 6+); `nil` logs in as the default user.
    public var username: String?
    /// Password sent with `AUTH` after connecting; `nil` sends no `AUTH`.
    public var password: String?
    /// Database number sent with `SELECT` after connecting; `nil` (or 0) keeps database 0.
    public var database: Int?
    /// Connections to the server, each with its own I/O thread that pipelines every command
    /// queued while it was busy into one write. A small number suffices: 2 by default.
    public var poolSize: Int
    /// Most commands waiting for an I/O thread; beyond it a command fails at once with
    /// ``RedisClientError/Code/queueFull`` instead of queueing without bound. Default 10,000.
    public var maximumQueuedCommands: Int
    /// Longest wait for the TCP connection (and the `AUTH`/`SELECT` that follow). Default 1 s.
    public var connectTimeout: Duration
    /// Longest wait for one read or write on a connection (one command's reply, or the next reply
    /// of a batch); on expiry the commands still without a reply fail and the connection is
    /// discarded. Default 1 s.
    public var commandTimeout: Duration
    /// A connection idle for longer than this is checked with `PING` before it is reused, and
    /// replaced when the check fails. Default 30 s.
    public var healthCheckInterval: Duration

    /// Creates a configuration for `host:port` with the default connection settings.
    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int? = nil,
        poolSize: Int = 2,
        maximumQueuedCommands: Int = 10_000,
        connectTimeout: Duration = .seconds(1),
        commandTimeout: Duration = .seconds(1),
        healthCheckInterval: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.maximumQueuedCommands = maximumQueuedCommands
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.healthCheckInterval = healthCheckInterval
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]` (user and password percent-decoded,
    /// IPv6 hosts in brackets); the connection settings keep their defaults.
    ///
    /// - Throws: ``RedisClientError`` with code ``RedisClientError/Code/invalidConfiguration``;
    ///   its message never repeats the URL, which may hold the password.
    public init(url: String) throws(RedisClientError) {
        self.init()
        let scheme = "redis://"
        guard url.lowercased().hasPrefix(scheme) else {
            if url.lowercased().hasPrefix("rediss://") {
                throw .invalidConfiguration("TLS (rediss://) is not supported by this client")
            }
            throw .invalidConfiguration("a Redis URL must start with redis://")
        }
        var rest = url.dropFirst(scheme.count)
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            rest = rest[..<query]
        }
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let database = Int(path), database >= 0 else {
                    throw .invalidConfiguration("the database in a Redis URL must be a non-negative number")
                }
                self.database = database
            }
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                let user = try Self.percentDecoded(userInfo[..<colon])
                username = user.isEmpty ? nil : user
                password = try Self.percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else if !userInfo.isEmpty {
                // `redis://secret@host` is how some tools write a password-only URL.
                password = try Self.percentDecoded(userInfo)
            }
        }
        try parseHostAndPort(authority)
    }

    private mutating func parseHostAndPort(_ authority: Substring) throws(RedisClientError) {
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalidConfiguration("an IPv6 host in a Redis URL must end with ]")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw .invalidConfiguration("unexpected text after the host in a Redis URL")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw .invalidConfiguration("a Redis URL must name a host") }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw .invalidConfiguration("the port in a Redis URL must be a number from 1 to 65535")
            }
            self.port = port
        }
    }

    private static func percentDecoded(_ text: Substring) throws(RedisClientError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else {
                throw .invalidConfiguration("bad percent-encoding in the user information of a Redis URL")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `redis://[user:]***@host:port/db` with the password masked, plus the connection settings.
    public var description: String {
        var text = "redis://"
        if username != nil || password != nil {
            text += (username ?? "") + (password == nil ? "" : ":***") + "@"
        }
        text += host.contains(":") ? "[\(host)]" : host
        text += ":\(port)"
        if let database { text += "/\(database)" }
        return text + " (connections \(poolSize), queue \(maximumQueuedCommands), "
            + "connect timeout \(connectTimeout), command timeout \(commandTimeout))"
    }
}
