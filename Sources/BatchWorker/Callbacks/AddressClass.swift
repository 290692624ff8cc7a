/// Why an address is not a unicast one, in the fence's terms.
///
/// ``classify(_:)`` is pure: the tables below are the whole policy. Metadata addresses are
/// named before the wider blocks that contain them.
enum AddressClass: String, Sendable, Hashable, CaseIterable {
    case loopback
    case `private`
    /// RFC 6598 carrier-grade NAT space, `100.64.0.0/10`.
    case sharedCGNAT = "shared (CGNAT)"
    case linkLocal = "link-local"
    case uniqueLocal = "unique-local"
    case unspecified
    case multicast
    /// Cloud instance metadata services.
    case metadata
    /// Documentation, benchmarking, protocol-assignment, discard and future-use blocks.
    case reserved

    /// The class of `address`, or `nil` for an ordinary address. An IPv6 address that
    /// carries an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by the IPv4 address too.
    static func classify(_ address: IPAddress) -> AddressClass? {
        let table = address.isIPv4 ? ipv4 : ipv6
        if let found = table.first(where: { $0.network.contains(address) }) { return found.class }
        if let inner = address.embeddedIPv4 { return classify(inner) }
        return nil
    }

    private static func block(_ text: String, _ kind: AddressClass) -> (network: IPNetwork, class: AddressClass) {
        guard let network = IPNetwork(text) else { preconditionFailure("bad built-in network \(text)") }
        return (network, kind)
    }

    private static let ipv4 = [
        block("169.254.169.254/32", .metadata),
        block("0.0.0.0/8", .unspecified),
        block("127.0.0.0/8", .loopback),
        block("10.0.0.0/8", .private),
        block("172.16.0.0/12", .private),
        block("192.168.0.0/16", .private),
        block("100.64.0.0/10", .sharedCGNAT),
        block("169.254.0.0/16", .linkLocal),
        block("224.0.0.0/4", .multicast),
        block("192.0.0.0/24", .reserved),
        block("192.0.2.0/24", .reserved),
        block("198.18.0.0/15", .reserved),
        block("198.51.100.0/24", .reserved),
        block("203.0.113.0/24", .reserved),
        block("240.0.0.0/4", .reserved),
    ]

    private static let ipv6 = [
        block("fd00:ec2::254/128", .metadata),
        block("::/128", .unspecified),
        block("::1/128", .loopback),
        block("fe80::/10", .linkLocal),
        block("fec0::/10", .private),
        block("fc00::/7", .uniqueLocal),
        block("ff00::/8", .multicast),
        block("100::/64", .reserved),
        block("2001:db8::/32", .reserved),
    ]
}
