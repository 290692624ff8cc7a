import Foundation
import CurlHTTP
import InferenceProtocol

/// A client for one Triton server's KServe v2 HTTP endpoint (`http://host:8000`).
///
/// Many clients may share one ``CurlHTTPTransport`` (one thread, one connection cache).
public struct TritonHTTPClient: Sendable {
    /// The server's base URL without a trailing slash.
    public let baseURL: String
    /// The transport that carries the requests.
    public let transport: CurlHTTPTransport
    /// Timeout used when a call has no deadline. Default 30 s.
    public var defaultTimeout: Duration
    /// Whether ``forward(_:)`` writes a deadline into `infer` bodies as Triton's `timeout`
    /// parameter. Default true; false when this server is a router or gateway, which sets it at
    /// the last hop (the deadline still travels as `x-request-timeout-ms`).
    public var setsTritonTimeout = true

    /// Creates a client for `baseURL` (e.g. `http://127.0.0.1:8000`).
    public init(baseURL: String, transport: CurlHTTPTransport, defaultTimeout: Duration = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.transport = transport
        self.defaultTimeout = defaultTimeout
    }

    /// Sends any request to a path of this server and returns the response whatever its status.
    ///
    /// The timeout is the time left until `deadline`; a deadline already past throws `timedOut`
    /// without sending anything.
    public func send(
        method: String,
        path: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> UpstreamResponse {
        let timeout = try timeout(until: deadline)
        let request = HTTPRequestSpec(
            method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout)
        return try await transport.execute(request)
    }

    /// Like ``send(method:path:headers:body:deadline:)`` but throws `httpStatus` with the
    /// server's error text for any status outside 200–299.
    public func sendExpectingSuccess(
        method: String,
        path: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> UpstreamResponse {
        let response = try await send(method: method, path: path, headers: headers, body: body, deadline: deadline)
        guard (200..<300).contains(response.status) else {
            throw UpstreamError.httpStatus(response.status, message: response.errorText)
        }
        return response
    }

    private func timeout(until deadline: ContinuousClock.Instant?) throws -> Duration {
        guard let deadline else { return defaultTimeout }
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .milliseconds(1) else {
            throw UpstreamError.timedOut("the deadline passed before the request was sent")
        }
        return min(remaining, defaultTimeout)
    }
}
