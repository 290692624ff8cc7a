import Foundation
import HTTPTypes
import Hummingbird
import TestSupport
import Synchronization

/// A local HTTP endpoint that records job callbacks (path, headers, body) and answers as told:
/// accept (after refusing the first `failFirst` with 503), always fail, redirect, or hang.
final class CallbackReceiver: Sendable {
    /// How `/done` answers.
    enum Behaviour: Sendable {
        /// 503 for the first `failFirst` requests, then 200.
        case accept(failFirst: Int)
        /// Always this status.
        case fail(status: Int)
        /// 302 to `/followed` on the same server (which records any request as a hit).
        case redirect
        /// Never answers while running; answers 503 once stopped.
        case hang
    }

    /// One request that reached `/done`.
    struct Request: Sendable {
        var headers: HTTPFields
        var body: Data
    }

    private struct State {
        var port: Int?
        var requests: [Request] = []
        var bodies: [Data] = []
        var refusalsLeft = 0
        var attempts = 0
        var waiting = 0
        var followed = 0
        var stopped = false
    }

    private let behaviour: Behaviour
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(_ behaviour: Behaviour) {
        self.behaviour = behaviour
        if case .accept(let failFirst) = behaviour { state.withLock { $0.refusalsLeft = failFirst } }
    }

    convenience init(failFirst: Int) {
        self.init(.accept(failFirst: failFirst))
    }

    /// Starts listening on an ephemeral port of 127.0.0.1; returns the callback URL.
    func start() async throws -> String {
        let router = Router()
        router.post("/done") { request, _ -> Response in
            let body = Data(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            return try await self.answer(Request(headers: request.headers, body: body))
        }
        router.on("/followed", method: .post) { _, _ -> Response in self.follow() }
        router.on("/followed", method: .get) { _, _ -> Response in self.follow() }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } },
            logger: BatchFixture.logger)
        task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        let port = try await eventuallyValue("the callback receiver listening", within: .seconds(10)) {
            state.withLock { $0.port }
        }
        return "http://127.0.0.1:\(port)/done"
    }

    private func answer(_ request: Request) async throws -> Response {
        let refuse = state.withLock { state -> Bool in
            state.attempts += 1
            state.requests.append(request)
            if state.refusalsLeft > 0 {
                state.refusalsLeft -= 1
                return true
            }
            return false
        }
        switch behaviour {
        case .accept:
            if !refuse { state.withLock { $0.bodies.append(request.body) } }
            return Response(status: refuse ? .serviceUnavailable : .ok)
        case .fail(let status):
            return Response(status: .init(code: status))
        case .redirect:
            let port = state.withLock { $0.port } ?? 0
            var headers = HTTPFields()
            headers[.location] = "http://127.0.0.1:\(port)/followed"
            return Response(status: .found, headers: headers)
        case .hang:
            state.withLock { $0.waiting += 1 }
            defer { state.withLock { $0.waiting -= 1 } }
            // The receiver's own stall, not a test's synchronisation: released by stop().
            while !state.withLock({ $0.stopped }) && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
            }
            return Response(status: .serviceUnavailable)
        }
    }

    private func follow() -> Response {
        state.withLock { $0.followed += 1 }
        return Response(status: .ok)
    }

    /// The bodies accepted, and how many requests arrived at `/done` in all.
    var received: (bodies: [Data], attempts: Int) { state.withLock { ($0.bodies, $0.attempts) } }

    /// Every request that reached `/done`, in order.
    var requests: [Request] { state.withLock { $0.requests } }

    /// Requests held unanswered right now (``Behaviour/hang``).
    var waiting: Int { state.withLock { $0.waiting } }

    /// Requests that followed the redirect to `/followed`.
    var followed: Int { state.withLock { $0.followed } }

    func stop() async {
        state.withLock { $0.stopped = true }
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
    }
}
