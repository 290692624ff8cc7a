import Foundation

/// One HTTP request handed to a ``CurlHTTPTransport``.
public struct HTTPRequestSpec: Sendable {
    /// HTTP method, e.g. `GET` or `POST`.
    public var method: String
    /// Absolute URL, e.g. `http://127.0.0.1:8000/v2/health/ready`.
    public var url: String
    /// Request headers in order; `Expect` is always suppressed.
    public var headers: [(name: String, value: String)]
    /// Request body; `nil` sends none.
    public var body: Data?
    /// Total time the transfer may take (connect, send, wait, receive).
    public var timeout: Duration
    /// `ADDRESS:PORT` (an IPv6 address in brackets) that every connection of this transfer goes
    /// to, whatever host and port the URL names; no DNS lookup and no proxy are used then, and
    /// only `http` and `https` are spoken. `nil` (the default) connects where the URL says.
    public var connectTo: String?
    /// The most response body bytes read; a longer body fails the transfer with
    /// `invalidResponse`. `nil` (the default) reads any size.
    public var maxResponseBytes: Int?

    /// Creates a request; the transport adds nothing but `Expect:` suppression.
    public init(
        method: String,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        timeout: Duration
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
