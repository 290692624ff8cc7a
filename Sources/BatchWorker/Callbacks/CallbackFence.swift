/// Decides where a callback may go: the address every connection of its transfer is pinned to.
///
/// The host is resolved once; the callback is refused when any address it resolves to is
/// loopback, private, CGNAT, link-local, unique-local, unspecified, multicast, reserved or a
/// metadata address (``AddressClass``), unless the allow-list names the host or address with
/// the port. The first address is then the only one the transfer connects to, so a second
/// lookup (DNS rebinding) cannot swap it.
struct CallbackFence: Sendable {
    let allowList: CallbackAllowList
    let resolve: @Sendable (String) async throws(CallbackError) -> [IPAddress]

    /// A fence over the system resolver.
    init(allowList: CallbackAllowList) {
        self.init(allowList: allowList) { host throws(CallbackError) in try await HostResolver.addresses(of: host) }
    }

    /// A fence over `resolve` (tests give a fixed table).
    init(
        allowList: CallbackAllowList,
        resolve: @escaping @Sendable (String) async throws(CallbackError) -> [IPAddress]
    ) {
        self.allowList = allowList
        self.resolve = resolve
    }

    /// The address to pin `target`'s transfer to.
    ///
    /// - Throws: ``CallbackError/refused(_:)`` naming the address and its class, or
    ///   ``CallbackError/unresolvable(_:)``.
    func address(for target: CallbackTarget) async throws(CallbackError) -> IPAddress {
        let addresses = try await resolve(target.host)
        guard let first = addresses.first else { throw .unresolvable(target.host) }
        for address in addresses {
            if let refusal = refusal(of: address, target: target) { throw .refused(refusal) }
        }
        return first
    }

    /// Why `address` may not be called for `target`, or `nil` when it may.
    func refusal(of address: IPAddress, target: CallbackTarget) -> String? {
        guard let kind = AddressClass.classify(address),
            !allowList.permits(host: target.host, address: address, port: target.port)
        else { return nil }
        let subject = IPAddress(target.host) == address ? "\(address)" : "\(target.host) resolves to \(address), which"
        return "\(subject) is a \(kind.rawValue) address and the allow-list does not name it with port \(target.port)"
    }
}
