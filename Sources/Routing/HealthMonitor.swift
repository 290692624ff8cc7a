import Foundation
import Logging
import ServiceLifecycle
import TritonClient

/// Active health checks: every interval, each backend's server readiness, the readiness of
/// every routed model (version) on it, and its repository index (the models the router knows). A `Service`: runs until cancelled or shut down.
public struct HealthMonitor: Service {
    private let router: ModelRouter

    /// Creates a monitor for `router`'s backends and routes.
    public init(router: ModelRouter) {
        self.router = router
    }

    public func run() async throws {
        let interval = router.withState { $0.configuration.health.interval }
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await probeAll()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Probes every backend once, concurrently, and records the results.
    public func probeAll() async {
        let (backends, models, timeout) = router.withState { state in
            (state.backends.map(\.id), state.probedModels(), state.configuration.health.timeout)
        }
        await withTaskGroup(of: Void.self) { group in
            for backend in backends {
                guard let client = router.client(for: backend) else { continue }
                group.addTask {
                    let result = await Self.probe(client, models: models, timeout: timeout)
                    // The index is what the backend holds; a failed read keeps the last one.
                    let index =
                        result.serverReady
                        ? try? await client.repositoryIndex(deadline: ContinuousClock.now + timeout) : nil
                    let events = router.withState { state in
                        if let index { state.recordIndex(backend: backend, index: index) }
                        return state.recordProbe(backend: backend, result: result, now: .now)
                    }
                    router.report(events)
                }
            }
        }
    }

    private static func probe(
        _ client: TritonHTTPClient, models: [(model: String, version: String?)], timeout: Duration
    ) async -> ActiveHealthState.ProbeResult {
        let deadline = ContinuousClock.now + timeout
        guard (try? await client.serverReady(deadline: deadline)) == true else {
            return ActiveHealthState.ProbeResult(serverReady: false)
        }
        var ready: [String: Bool] = [:]
        for (model, version) in models {
            let ok = (try? await client.modelReady(model: model, version: version, deadline: deadline)) ?? false
            // A model counts as ready on a backend when every routed version of it is ready.
            ready[model] = (ready[model] ?? true) && ok
        }
        return ActiveHealthState.ProbeResult(serverReady: true, modelsReady: ready)
    }
}

extension RoutingState {
    /// Every (model, version) the routes send traffic to.
    func probedModels() -> [(model: String, version: String?)] {
        routes.routes.flatMap { route in route.targets.map { (model: route.model, version: $0.version) } }
    }
}
