import CurlHTTP

/// Makes ``TritonHTTPClient``s that share one transport, so that code choosing servers (the
/// router) needs no transport of its own.
public struct TritonConnector: Sendable {
    private let transport: CurlHTTPTransport

    /// Creates a connector over `transport`, which its owner shuts down.
    public init(transport: CurlHTTPTransport) {
        self.transport = transport
    }

    /// A client for the server at `baseURL` (e.g. `http://127.0.0.1:8000`).
    public func client(baseURL: String, defaultTimeout: Duration) -> TritonHTTPClient {
        TritonHTTPClient(baseURL: baseURL, transport: transport, defaultTimeout: defaultTimeout)
    }
}
