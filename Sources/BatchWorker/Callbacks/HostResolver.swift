import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves host names with the system resolver (`getaddrinfo`), off the cooperative pool.
///
/// Each lookup runs on its own short-lived thread, because `getaddrinfo` blocks; callers bound
/// how many run at once (the delivery loop runs at most its concurrency limit). A lookup that
/// takes longer than its timeout (a name server a hostile callback host points at that never
/// answers) is given up: the caller moves on, and the thread ends when the resolver does.
enum HostResolver {
    /// Every address `host` resolves to, IPv4 and IPv6, without duplicates; an IP literal
    /// (strict form) is returned as is without a lookup.
    ///
    /// - Throws: ``CallbackError/unresolvable(_:)`` when the name does not resolve within `timeout`.
    /// `resolve` is the blocking lookup (the system resolver; tests pass a slow one).
    static func addresses(
        of host: String, timeout: Duration = .seconds(5),
        resolve: @escaping @Sendable (String) -> [IPAddress] = lookup
    ) async throws(CallbackError) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        let found = await withCheckedContinuation { (continuation: CheckedContinuation<[IPAddress], Never>) in
            let pending = Mutex<CheckedContinuation<[IPAddress], Never>?>(continuation)
            let finish = { @Sendable (addresses: [IPAddress]) in
                pending.withLock { $0.take() }?.resume(returning: addresses)
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                finish([])
            }
            Thread.detachNewThread {
                finish(resolve(host))
                timer.cancel()
            }
        }
        guard !found.isEmpty else { throw .unresolvable(host) }
        return found
    }

    static func lookup(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var node = list
        while let current = node?.pointee {
            if let socketAddress = current.ai_addr,
                let address = Self.address(socketAddress, family: current.ai_family),
                !addresses.contains(address)
            {
                addresses.append(address)
            }
            node = current.ai_next
        }
        return addresses
    }

    private static func address(_ pointer: UnsafeMutablePointer<sockaddr>, family: Int32) -> IPAddress? {
        switch family {
        case AF_INET:
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
            }
        case AF_INET6:
            return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                return IPAddress(bytes: withUnsafeBytes(of: &raw) { Array($0) })
            }
        default:
            return nil
        }
    }
}
