import InferenceProtocol
import CCurl
import Foundation
import Synchronization

/// An HTTP/1.1 client over libcurl's multi interface.
///
/// One dedicated thread owns the multi handle and every easy handle; tasks hand requests in
/// through a locked queue and `curl_multi_wakeup`, and are resumed when their transfer ends.
/// Connections are kept alive and reused, at most `maxConnectionsPerHost` per host.
/// Call ``shutdown()`` before dropping the last reference.
public final class CurlHTTPTransport: Sendable {
    /// Tunables of the transport.
    public struct Configuration: Sendable {
        /// Open connections allowed per host; further transfers queue inside libcurl. Default 16.
        public var maxConnectionsPerHost: Int
        /// Idle connections kept in the cache across all hosts. Default 64.
        public var maxCachedConnections: Int
        /// Connect phase limit, independent of the request timeout. Default 2 s.
        public var connectTimeout: Duration

        /// Creates a configuration; every argument has the documented default.
        public init(
            maxConnectionsPerHost: Int = 16,
            maxCachedConnections: Int = 64,
            connectTimeout: Duration = .seconds(2)
        ) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxCachedConnections = maxCachedConnections
            self.connectTimeout = connectTimeout
        }
    }

    private enum Command {
        case add(CurlTransfer)
        case cancel(CurlTransfer)
    }

    private struct Inbox {
        var commands: [Command] = []
        var isShutdown = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        var hasExited = false
    }

    /// The multi handle; used from other threads only for `curl_multi_wakeup`, which is thread-safe.
    private let multi: SendableHandle
    private let configuration: Configuration
    private let inbox = Mutex(Inbox())
    private let openedConnections = Atomic<Int>(0)
    private let completedTransfers = Atomic<Int>(0)

    /// Starts the transport's thread.
    public init(configuration: Configuration = Configuration()) {
        CurlGlobal.ensureInitialized()
        let multi = curl_multi_init()!
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
        self.multi = SendableHandle(multi)
        self.configuration = configuration
        let thread = Thread { [self] in runLoop() }
        thread.name = "curl-multi"
        thread.start()
    }

    /// Connections opened since start: with keep-alive this stays near the connection cap.
    public var connectionsOpened: Int { openedConnections.load(ordering: .relaxed) }

    /// Transfers finished since start (successful or not).
    public var transfersCompleted: Int { completedTransfers.load(ordering: .relaxed) }

    /// Sends a request and returns the complete response, whatever its status.
    ///
    /// Throws ``UpstreamError`` for transport failures, `cancelled` when the task is cancelled.
    public func execute(_ request: HTTPRequestSpec) async throws -> UpstreamResponse {
        try Task.checkCancellation()
        guard let easy = curl_easy_init() else { throw UpstreamError.transport("curl_easy_init failed") }
        let transfer = CurlTransfer(easy: easy, request: request, connectTimeout: configuration.connectTimeout)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                if !send(.add(transfer)) {
                    transfer.complete(.failure(UpstreamError.shutdown))
                    curl_easy_cleanup(easy)
                }
            }
        } onCancel: {
            _ = send(.cancel(transfer))
        }
    }

    /// Fails transfers in flight with `shutdown`, stops the thread and frees libcurl's handles.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            let exited = inbox.withLock { inbox in
                inbox.isShutdown = true
                if inbox.hasExited { return true }
                inbox.exitWaiters.append(continuation)
                return false
            }
            if exited {
                continuation.resume()
            } else {
                curl_multi_wakeup(multi.pointer)
            }
        }
    }

    /// Queues a command for the loop thread; false once shut down.
    private func send(_ command: Command) -> Bool {
        let accepted = inbox.withLock { inbox in
            guard !inbox.isShutdown else { return false }
            inbox.commands.append(command)
            return true
        }
        if accepted { curl_multi_wakeup(multi.pointer) }
        return accepted
    }

    /// The loop thread: the only code that touches the multi handle and the easy handles.
    private func runLoop() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        while true {
            let (commands, stopping) = inbox.withLock { inbox in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return (inbox.commands, inbox.isShutdown)
            }
            for command in commands {
                switch command {
                case .add(let transfer):
                    if transfer.cancelRequested {
                        finish(transfer, with: .failure(UpstreamError.cancelled), active: &active)
                    } else {
                        active[transfer.easy] = transfer
                        curl_multi_add_handle(multi.pointer, transfer.easy)
                    }
                case .cancel(let transfer):
                    // Compare identity: a finished transfer's handle address may have been reused.
                    if active[transfer.easy] === transfer {
                        finish(transfer, with: .failure(UpstreamError.cancelled), active: &active)
                    } else {
                        transfer.cancelRequested = true
                    }
                }
            }
            if stopping { break }

            var running: Int32 = 0
            curl_multi_perform(multi.pointer, &running)
            drainCompletions(active: &active)
            curl_multi_poll(multi.pointer, nil, 0, 1000, nil)
        }
        for transfer in Array(active.values) {
            finish(transfer, with: .failure(UpstreamError.shutdown), active: &active)
        }
        curl_multi_cleanup(multi.pointer)
        let waiters = inbox.withLock { inbox in
            inbox.hasExited = true
            defer { inbox.exitWaiters.removeAll() }
            return inbox.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func drainCompletions(active: inout [UnsafeMutableRawPointer: CurlTransfer]) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi.pointer, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                let transfer = active[easy]
            else { continue }
            let code = message.pointee.data.result
            openedConnections.add(transfer.connectionsOpened, ordering: .relaxed)
            finish(transfer, with: transfer.outcome(code), active: &active)
        }
    }

    /// Detaches a transfer from the multi handle, frees its easy handle and resumes its task.
    private func finish(
        _ transfer: CurlTransfer,
        with result: Result<UpstreamResponse, any Error>,
        active: inout [UnsafeMutableRawPointer: CurlTransfer]
    ) {
        if active[transfer.easy] === transfer {
            active.removeValue(forKey: transfer.easy)
            curl_multi_remove_handle(multi.pointer, transfer.easy)
        }
        curl_easy_cleanup(transfer.easy)
        completedTransfers.add(1, ordering: .relaxed)
        transfer.complete(result)
    }
}

/// A C handle shared with other threads only for thread-safe calls.
///
/// `@unchecked Sendable`: the pointer is used off the loop thread solely by `curl_multi_wakeup`,
/// which libcurl documents as callable from any thread.
private struct SendableHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}

/// `curl_global_init` once per process, before the first handle.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func ensureInitialized() { _ = initialized }
}
