import Foundation

/// No answer from an upstream over HTTP, or (``httpStatus(_:message:)``) an error answer a
/// caller chose to throw.
///
/// `isSafeToRetry` is true only when the request is known not to have reached the server (the
/// transport decides this once, per failure); every other failure may have reached it.
public struct UpstreamError: Error, Sendable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case connectFailed = "connect_failed"
        case timedOut = "timed_out"
        case connectionLost = "connection_lost"
        case httpStatus = "http_status"
        case invalidResponse = "invalid_response"
        case cancelled
        case shutdown
        case transport
    }

    private let code: Code
    /// A human-readable explanation; never contains request bodies or credentials.
    public let message: String
    /// The HTTP status for ``httpStatus`` errors.
    public let status: Int?
    /// True when the request did not get as far as the server (connect refused, DNS failure,
    /// connect timeout): the only failures another server may be asked to handle instead.
    public let isSafeToRetry: Bool

    private init(_ code: Code, _ message: String, status: Int? = nil, isSafeToRetry: Bool = false) {
        self.code = code
        self.message = message
        self.status = status
        self.isSafeToRetry = isSafeToRetry
    }

    /// A short, label-safe name for metrics.
    public var name: String { code.rawValue }

    public var description: String { message }

    /// The connection could not be established (refused, unreachable, DNS, connect timeout).
    public static func connectFailed(_ message: String) -> Self {
        Self(.connectFailed, message, isSafeToRetry: true)
    }

    /// The transfer did not finish within its timeout.
    public static func timedOut(_ message: String) -> Self { Self(.timedOut, message) }

    /// The connection broke after the request may have been sent.
    public static func connectionLost(_ message: String) -> Self { Self(.connectionLost, message) }

    /// The server answered with an error status; `message` is the server's own error text.
    public static func httpStatus(_ status: Int, message: String) -> Self {
        Self(.httpStatus, message, status: status)
    }

    /// The server's answer could not be understood.
    public static func invalidResponse(_ message: String) -> Self { Self(.invalidResponse, message) }

    /// The caller's task was cancelled; the transfer was aborted.
    public static let cancelled = Self(.cancelled, "the request was cancelled")

    /// The transport was shut down before the transfer finished.
    public static let shutdown = Self(.shutdown, "the HTTP transport is shut down")

    /// Any other transport failure.
    public static func transport(_ message: String) -> Self { Self(.transport, message) }

    /// Whether two errors have the same kind.
    public func isKind(of other: Self) -> Bool { code == other.code }

    /// True for ``timedOut(_:)`` errors.
    public var isTimeout: Bool { code == .timedOut }

    /// True for ``connectFailed(_:)`` errors.
    public var isConnectFailure: Bool { code == .connectFailed }

    /// True for ``connectionLost(_:)`` errors.
    public var isConnectionLost: Bool { code == .connectionLost }

    /// True for ``cancelled``.
    public var isCancellation: Bool { code == .cancelled }
}
