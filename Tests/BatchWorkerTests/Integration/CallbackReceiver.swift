import Foundation
import Hummingbird
import Synchronization

/// A local HTTP endpoint that records job callbacks, refusing the first `failFirst` with 503.
final class CallbackReceiver: Sendable {
    private struct State {
        var port: Int?
        var bodies: [Data] = []
        var refusalsLeft: Int
        var attempts = 0
    }

    private let state: Mutex<State>
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(failFirst: Int) {
        state = Mutex(State(refusalsLeft: failFirst))
    }

    /// Starts listening on an ephemeral port of 127.0.0.1; returns the callback URL.
    func start() async throws -> String {
        let router = Router()
        router.post("/done") { request, _ -> Response in
            let body = Data(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let refuse = self.state.withLock { state -> Bool in
                state.attempts += 1
                if state.refusalsLeft > 0 {
                    state.refusalsLeft -= 1
                    return true
                }
                state.bodies.append(body)
                return false
            }
            return Response(status: refuse ? .serviceUnavailable : .ok)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } },
            logger: BatchFixture.logger)
        task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let port = state.withLock({ $0.port }) { return "http://127.0.0.1:\(port)/done" }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BatchTestTimeout(what: "the callback receiver")
    }

    /// The bodies accepted, and how many requests arrived in all.
    var received: (bodies: [Data], attempts: Int) { state.withLock { ($0.bodies, $0.attempts) } }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
    }
}
