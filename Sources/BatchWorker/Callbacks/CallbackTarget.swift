import Foundation

/// A `callback_url` read strictly: `http` or `https`, a host, an optional port, no user info.
///
/// Only the host and port are used to choose the address; the transfer is then pinned to that
/// address, so a URL that another parser would read differently still cannot reach elsewhere.
struct CallbackTarget: Sendable, Hashable {
    /// The longest URL accepted, in bytes.
    static let maxLength = 2048

    /// The URL as given.
    let url: String
    /// `http` or `https`.
    let scheme: String
    /// The host, lower-cased, without the brackets of an IPv6 literal.
    let host: String
    /// The port, explicit or the scheme's default.
    let port: Int

    /// Reads `url`; throws ``CallbackError/invalidURL(_:)`` naming what is wrong.
    init(_ url: String) throws(CallbackError) {
        guard url.utf8.count <= Self.maxLength else {
            throw .invalidURL("longer than \(Self.maxLength) bytes")
        }
        guard !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7f }) else {
            throw .invalidURL("spaces, control or non-ASCII characters")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .invalidURL("not an absolute URL")
        }
        guard scheme == "http" || scheme == "https" else { throw .invalidURL("the scheme must be http or https") }
        guard components.percentEncodedUser == nil && components.percentEncodedPassword == nil else {
            throw .invalidURL("user information is not allowed")
        }
        guard var host = components.percentEncodedHost, !host.isEmpty else { throw .invalidURL("no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.contains("%") else { throw .invalidURL("percent-encoded hosts and zone ids are not allowed") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw .invalidURL("the port is out of range") }
        self.url = url
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
    }
}
