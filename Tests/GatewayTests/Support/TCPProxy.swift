import Foundation
import TestSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP proxy on 127.0.0.1 in front of one upstream address, which a test can cut and restore:
/// an outage of one client's network path to a shared server, without stopping the server.
///
/// While cut, connections through it are closed and new ones are accepted and closed at once (the
/// client sees its server hang up); after ``restore()`` new connections go through again.
final class TCPProxy: Sendable {
    /// The port it listens on.
    let port: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var cut = false
        var open: Set<Int32> = []
        var closed = false
    }

    /// Listens on an ephemeral port and forwards each connection to `upstreamHost:upstreamPort`.
    init(upstreamHost: String, upstreamPort: Int) throws {
        (listener, port) = try LoopbackListener.open()
        let thread = Thread { [self] in acceptLoop(upstreamHost: upstreamHost, upstreamPort: upstreamPort) }
        thread.name = "tcp-proxy"
        thread.start()
    }

    /// Closes every connection through the proxy and hangs up on new ones until ``restore()``.
    func cut() {
        // Under the lock: a socket leaves `open` before it is closed, so its number cannot have
        // been reused by then.
        state.withLock { state in
            state.cut = true
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Lets new connections through again.
    func restore() {
        state.withLock { $0.cut = false }
    }

    /// Stops accepting and closes every connection.
    func stop() {
        state.withLock { state in
            state.closed = true
            state.cut = true
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit {
        close(listener)
    }

    private func acceptLoop(upstreamHost: String, upstreamPort: Int) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let (closed, cut) = state.withLock { ($0.closed, $0.cut) }
            if closed {
                close(client)
                return
            }
            if cut {
                close(client)
                continue
            }
            guard let upstream = connectUpstream(host: upstreamHost, port: upstreamPort) else {
                close(client)
                continue
            }
            let admitted = state.withLock { state in
                guard !state.cut else { return false }
                state.open.insert(client)
                state.open.insert(upstream)
                return true
            }
            guard admitted else {
                close(client)
                close(upstream)
                continue
            }
            // Each direction pumps on its own thread; the second to finish closes both sockets.
            let finished = Finished()
            for (from, to) in [(client, upstream), (upstream, client)] {
                let thread = Thread { [self] in
                    pump(from: from, to: to)
                    let last = finished.count.add(1, ordering: .acquiringAndReleasing).newValue == 2
                    state.withLock { state in
                        // The first to finish wakes the other; the last closes both.
                        if last {
                            state.open.remove(client)
                            state.open.remove(upstream)
                        } else {
                            shutdown(from, Int32(SHUT_RDWR))
                            shutdown(to, Int32(SHUT_RDWR))
                        }
                    }
                    if last {
                        close(client)
                        close(upstream)
                    }
                }
                thread.name = "tcp-proxy-pump"
                thread.start()
            }
        }
    }

    private final class Finished: Sendable {
        let count = Atomic<Int>(0)
    }

    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let received = read(source, &buffer, buffer.count)
            guard received > 0 else { return }
            var sent = 0
            while sent < received {
                let written = buffer.withUnsafeBytes { bytes in
                    // MSG_NOSIGNAL: a peer that hung up is an error here, not a SIGPIPE for the process.
                    send(destination, bytes.baseAddress! + sent, received - sent, Int32(MSG_NOSIGNAL))
                }
                guard written > 0 else { return }
                sent += written
            }
        }
    }

    private func connectUpstream(host: String, port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                Glibc.connect(descriptor, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}
