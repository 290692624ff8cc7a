import Foundation

/// The parsed service endpoint and the URL and `Host` value of each request.
struct S3Endpoint: Sendable {
    /// `http` or `https`.
    let scheme: String
    /// Host name or address, IPv6 in brackets.
    let host: String
    /// The port when the endpoint names one.
    let port: Int?
    /// `scheme://host[:port]`, for messages (never with user information).
    let display: String

    /// Parses `endpoint`; only `http` and `https` URLs with a host are accepted.
    init(_ endpoint: String) throws(ObjectStoreError) {
        guard let components = URLComponents(string: endpoint),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw .invalidArgument("the S3 endpoint must be an http(s) URL with a host, e.g. http://127.0.0.1:9000")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil else {
            throw .invalidArgument("the S3 endpoint must not carry a path or query")
        }
        self.scheme = scheme
        self.host = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        self.port = components.port
        self.display = "\(scheme)://\(self.host)\(components.port.map { ":\($0)" } ?? "")"
    }

    /// The `Host` header value for `bucket` (virtual-hosted style) or for the endpoint itself.
    func hostHeader(bucket: String?) -> String {
        let defaultPort = scheme == "https" ? 443 : 80
        let portPart = port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return (bucket.map { "\($0)." } ?? "") + host + portPart
    }

    /// The absolute URL of an already canonical (encoded) path and query.
    func url(hostHeader: String, encodedPath: String, encodedQuery: String) -> String {
        "\(scheme)://\(hostHeader)\(encodedPath)" + (encodedQuery.isEmpty ? "" : "?\(encodedQuery)")
    }
}
