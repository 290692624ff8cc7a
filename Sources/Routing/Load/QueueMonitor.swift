import Foundation
import ServiceLifecycle

/// Reads every backend's Prometheus endpoint (its `metrics_url`) each
/// ``RouterConfiguration/queueInterval`` and records each model's pending requests and queue
/// time, for the ``BalancingStrategy/leastQueue`` strategy. A `Service`: runs until cancelled or
/// shut down. A reading that fails leaves the last one, which stops counting after four intervals.
public struct QueueMonitor: Service {
    private let router: ModelRouter

    /// Creates a monitor for `router`'s backends that have a metrics URL.
    public init(router: ModelRouter) {
        self.router = router
    }

    public func run() async throws {
        let interval = router.withState { $0.configuration.queueInterval }
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await readAll(timeout: interval)
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Reads every backend's endpoint once, concurrently, each within `timeout`.
    public func readAll(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            for (backend, client) in router.metricsClients {
                group.addTask {
                    guard
                        let answer = try? await client.send(
                            method: "GET", path: "", deadline: ContinuousClock.now + timeout),
                        answer.status == 200
                    else { return }
                    let samples = TritonQueueSample.parse(Substring(String(decoding: answer.body, as: UTF8.self)))
                    router.withState { $0.recordQueues(backend: backend, samples: samples, now: .now) }
                }
            }
        }
    }
}
