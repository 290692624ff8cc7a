import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP listener on 127.0.0.1 that never accepts: the kernel completes connections into its
/// backlog and requests sent to it are never answered. For timeout and cancellation tests.
public final class SilentTCPServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let socketDescriptor: Int32

    /// Opens the listener on an ephemeral port.
    public init() throws {
        (socketDescriptor, port) = try LoopbackListener.open()
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    deinit { close(socketDescriptor) }
}
