import Foundation

/// Destinations the fence lets through although their addresses are not public: the operator's
/// own receivers.
///
/// Entries are `HOST[:PORT[-PORT]]`, where HOST is an IPv4 address or CIDR block, an IPv6 one in
/// brackets (`[fd12::/16]:8443`; without brackets an IPv6 entry has no port), or a host name
/// matched exactly against the URL's host. Without a port every port matches.
struct CallbackAllowList: Sendable, Hashable {
    enum Host: Sendable, Hashable {
        case network(IPNetwork)
        case name(String)
    }

    struct Entry: Sendable, Hashable {
        var host: Host
        var ports: ClosedRange<Int>?
    }

    /// The parsed entries, in the order given.
    let entries: [Entry]

    /// An empty list: only public addresses are reachable.
    static let none = CallbackAllowList(entries: [])

    private init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses `texts`; blank entries are ignored.
    ///
    /// - Throws: ``CallbackConfigurationError`` naming the first malformed entry.
    init(parsing texts: [String]) throws(CallbackConfigurationError) {
        var entries: [Entry] = []
        for text in texts {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let entry = Self.entry(trimmed) else {
                throw CallbackConfigurationError("malformed callback allow-list entry '\(trimmed)'")
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    /// True when an entry names this host name, or a block holding `address`, and `port`.
    func permits(host: String, address: IPAddress, port: Int) -> Bool {
        entries.contains { entry in
            guard entry.ports?.contains(port) ?? true else { return false }
            switch entry.host {
            case .network(let network): return network.contains(address)
            case .name(let name): return name == host
            }
        }
    }

    private static func entry(_ text: String) -> Entry? {
        var hostText: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostText = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if text.filter({ $0 == ":" }).count > 1 {
            hostText = Substring(text)
        } else if let colon = text.firstIndex(of: ":") {
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            hostText = Substring(text)
        }
        var ports: ClosedRange<Int>?
        if let portText {
            guard let parsed = Self.ports(portText) else { return nil }
            ports = parsed
        }
        if let network = IPNetwork(String(hostText)) { return Entry(host: .network(network), ports: ports) }
        let name = hostText.lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard !name.isEmpty, !name.contains("/"), name.allSatisfy(allowed.contains), !name.contains(":") else {
            return nil
        }
        return Entry(host: .name(name), ports: ports)
    }

    private static func ports(_ text: Substring) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let low = Int(bounds[0]), let high = bounds.count == 2 ? Int(bounds[1]) : low,
            1 <= low, low <= high, high <= 65535
        else { return nil }
        return low...high
    }
}

/// Callback settings the worker cannot start with.
public struct CallbackConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
