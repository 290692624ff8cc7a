import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP server on 127.0.0.1 that reads each request and closes the connection without a word:
/// a backend that dies of the request it was sent. Counts the requests it received.
public final class HangUpTCPServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let socketDescriptor: Int32
    private let counter: RequestCounter

    /// Opens the listener on an ephemeral port and starts accepting on a thread of its own.
    public init() throws {
        let (descriptor, port) = try LoopbackListener.open()
        socketDescriptor = descriptor
        self.port = port
        let counter = RequestCounter()
        self.counter = counter
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { return }
                let received = read(connection, &buffer, buffer.count)
                if received > 0 { counter.value.add(1, ordering: .relaxed) }
                close(connection)
            }
        }
        thread.name = "hang-up-server"
        thread.start()
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Requests received (and hung up on) so far.
    public var requestsReceived: Int { counter.value.load(ordering: .relaxed) }

    deinit {
        // Wakes the blocked accept() so the thread ends.
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
    }
}

private final class RequestCounter: Sendable {
    let value = Atomic<Int>(0)
}
