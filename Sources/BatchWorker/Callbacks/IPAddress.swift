#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16).
struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address bytes, most significant first.
    let bytes: [UInt8]

    /// True for a 4-byte address.
    var isIPv4: Bool { bytes.count == 4 }

    /// Creates an address from 4 or 16 bytes.
    init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses the strict textual forms only (`192.0.2.1`, `2001:db8::1`, brackets allowed around
    /// IPv6); `nil` for anything else, including zone ids and the shorthand forms some resolvers
    /// accept (`127.1`, `0x7f000001`).
    init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let literal = String(text)
        if !literal.contains(":") {
            var v4 = in_addr()
            guard inet_pton(AF_INET, literal, &v4) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else {
            var v6 = in6_addr()
            guard inet_pton(AF_INET6, literal, &v6) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        }
    }

    /// The IPv4 address carried inside an IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible
    /// (`::/96`), NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) IPv6 address.
    var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let zeros = bytes[0..<10].allSatisfy { $0 == 0 }
        if zeros && bytes[10] == 0xff && bytes[11] == 0xff { return IPAddress(bytes: Array(bytes[12..<16])) }
        if zeros && bytes[10] == 0 && bytes[11] == 0 && bytes[12..<16].contains(where: { $0 != 0 }) {
            // IPv4-compatible; `::` and `::1` are not IPv4 addresses and are classified as IPv6.
            return bytes[12..<15].allSatisfy({ $0 == 0 }) && bytes[15] <= 1
                ? nil : IPAddress(bytes: Array(bytes[12..<16]))
        }
        if bytes[0..<4] == [0x00, 0x64, 0xff, 0x9b] && bytes[4..<12].allSatisfy({ $0 == 0 }) {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }

    /// Canonical text (RFC 5952 for IPv6), without brackets.
    var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address as a connection target with `port`: `192.0.2.1:80`, `[2001:db8::1]:443`.
    func endpoint(port: Int) -> String {
        isIPv4 ? "\(self):\(port)" : "[\(self)]:\(port)"
    }
}

/// A block of addresses: an address and a prefix length (`10.0.0.0/8`, `fe80::/10`).
struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block.
    let address: IPAddress
    /// Leading bits that every member shares.
    let prefixLength: Int

    /// Parses `ADDRESS/LENGTH` or a bare address (a block of one).
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length), parts[1].allSatisfy(\.isASCII) else {
                return nil
            }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    /// True when `candidate` is of the same family and shares the first ``prefixLength`` bits.
    func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(address.bytes, candidate.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
            guard mine & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }

    var description: String { "\(address)/\(prefixLength)" }
}
