import InferenceProtocol
import Resilience

/// Something the router's state did that an operator wants to see in logs and metrics.
public enum RoutingEvent: Sendable, Hashable {
    /// A backend's circuit breaker changed state.
    case breaker(BackendID, CircuitBreakerStateMachine.Transition)
    /// Passive outlier detection ejected a backend.
    case ejected(OutlierDetector.Ejection)
    /// Active probes changed a backend's (or one model's) health.
    case health(ActiveHealthState.Transition)
}

/// A backend picked for one attempt; hand it back to ``RoutingState/release(_:outcome:latency:now:)``.
public struct BackendLease: Sendable, Hashable {
    /// The chosen backend.
    public let backend: BackendID
    /// The breaker's permit for this attempt.
    public let permit: CircuitBreakerStateMachine.Permit
}

/// All routing decisions in one pure value: routes, canary choice, health, breakers, balancing
/// and the retry budget. The owner holds it under a lock and performs I/O outside it; time and
/// randomness come in from outside, so every decision can be replayed in a test.
public struct RoutingState: Sendable {
    public let configuration: RouterConfiguration
    /// The backends in configuration order.
    public private(set) var backends: [BackendDescriptor]
    /// The model routes.
    public internal(set) var routes: RouteTable
    private var breakers: [BackendID: CircuitBreakerStateMachine] = [:]
    private var outstanding: [BackendID: Int] = [:]
    private var latency: [BackendID: LatencyEWMA] = [:]
    private var outlier: OutlierDetector
    private(set) var health: ActiveHealthState
    private var budget: RetryBudget
    private var balancers: [String: StrategyBalancer] = [:]
    private var queues: BackendQueues
    private var latencies: [String: LatencyWindow] = [:]
    /// Canary rollouts by model, with the route each was declared by (see RoutingState+Canary).
    var rollouts: [String: (rollout: CanaryRollout, declared: ModelRoute)] = [:]
    private var rng: SeededGenerator
    /// What the backends' repository indexes list: with the routes, the models the router knows.
    public private(set) var catalog = ModelCatalog()

    /// Creates the state for `backends` and `routes`.
    public init(backends: [BackendDescriptor], routes: RouteTable, configuration: RouterConfiguration) {
        self.configuration = configuration
        self.backends = backends
        self.routes = routes
        outlier = OutlierDetector(configuration: configuration.outlier, backends: backends.map(\.id))
        health = ActiveHealthState(configuration: configuration.health)
        budget = RetryBudget(configuration: configuration.retryBudget)
        queues = BackendQueues(staleAfter: configuration.queueInterval * 4)
        var system = SystemRandomNumberGenerator()
        rng = SeededGenerator(seed: configuration.randomSeed ?? system.next())
        for backend in backends {
            breakers[backend.id] = CircuitBreakerStateMachine(configuration: configuration.breaker)
        }
        // The table's routes are valid, so their rollouts' weights are too.
        try? syncRollouts(now: .now)
    }

    /// Picks the route target (model version) for a request: pinned, sticky, or by weight.
    ///
    /// A model with no configured route goes to every backend with the version the client named.
    public mutating func selectTarget(model: String, pinnedVersion: String?, stickyKey: String?)
        throws(UnroutedVersionError) -> RouteTarget
    {
        guard let selector = routes.selector(for: model) else { return RouteTarget(version: pinnedVersion, weight: 1) }
        return try selector.select(pinnedVersion: pinnedVersion, stickyKey: stickyKey, using: &rng)
    }

    /// Chooses a backend for one attempt, skipping `excluding`; nil when none will take it.
    ///
    /// Healthy, non-ejected backends are preferred; when there are none, every backend is tried
    /// (panic routing) and the breakers alone decide.
    public mutating func acquire(
        model: String, target: RouteTarget, excluding: Set<BackendID>, now: ContinuousClock.Instant
    ) -> BackendLease? {
        let known = Set(backends.map(\.id))
        let pool = (target.backends ?? backends.map(\.id)).filter { known.contains($0) }
        let preferred = pool.filter { health.isRoutable($0, model: model) && !outlier.isEjected($0, now: now) }
        let eligible = preferred.isEmpty ? pool : preferred
        let strategy = routes.route(for: model)?.strategy ?? .roundRobin
        let key = model + "|" + target.label
        var balancer = balancers[key] ?? StrategyBalancer(strategy: strategy)
        defer { balancers[key] = balancer }
        var skipped = excluding
        while true {
            let candidates = eligible.compactMap { id -> BackendCandidate? in
                guard !skipped.contains(id), let descriptor = backends.first(where: { $0.id == id }) else { return nil }
                var candidate = BackendCandidate(
                    id: id, weight: descriptor.weight, outstanding: outstanding[id, default: 0])
                if strategy == .leastQueue, let load = queues.load(of: model, on: id, now: now) {
                    candidate.queued = load.pending
                    candidate.queueTime = load.queueTime
                }
                return candidate
            }
            guard let id = balancer.pick(from: candidates, excluding: skipped, using: &rng) else { return nil }
            let permit = breakers[id]?.tryAcquire(now: now) ?? .rejected(retryAfter: .zero)
            if permit.isAllowed {
                outstanding[id, default: 0] += 1
                return BackendLease(backend: id, permit: permit)
            }
            skipped.insert(id)
        }
    }

    /// The shadow policy of `model`'s route when this request is to be mirrored (drawn with the
    /// state's generator at the policy's percentage); nil otherwise.
    public mutating func shadowDraw(model: String) -> ShadowPolicy? {
        guard let policy = routes.route(for: model)?.shadow, policy.percent > 0 else { return nil }
        return Double.random(in: 0..<100, using: &rng) < policy.percent ? policy : nil
    }

    /// Records a successful attempt's latency for `model` when its route hedges.
    public mutating func recordLatency(model: String, _ latency: Duration) {
        guard routes.route(for: model)?.hedge != nil else { return }
        latencies[model, default: LatencyWindow()].record(latency)
    }

    /// How long to wait before hedging `model`'s inference: its route's percentile of recent
    /// latencies (at least its minimum delay); nil when the route does not hedge or too few
    /// attempts have been seen.
    public func hedgeDelay(model: String) -> Duration? {
        guard let policy = routes.route(for: model)?.hedge,
            let observed = latencies[model]?.percentile(policy.percentile)
        else { return nil }
        return max(observed, .milliseconds(policy.minimumDelayMilliseconds))
    }

    /// Records the queue samples read from `backend`'s Prometheus endpoint at `now`.
    public mutating func recordQueues(
        backend: BackendID, samples: [String: TritonQueueSample], now: ContinuousClock.Instant
    ) {
        queues.record(backend: backend, samples: samples, now: now)
    }

    /// `model`'s queue on `backend` as last read, when recent (admin and tests).
    public func queueLoad(of model: String, on backend: BackendID, now: ContinuousClock.Instant) -> BackendQueues.Load?
    {
        queues.load(of: model, on: backend, now: now)
    }

    /// Returns a lease with the attempt's outcome; reports breaker transitions and ejections.
    public mutating func release(
        _ lease: BackendLease, outcome: CallOutcome, latency elapsed: Duration?, now: ContinuousClock.Instant
    ) -> [RoutingEvent] {
        outstanding[lease.backend, default: 1] -= 1
        var events: [RoutingEvent] = []
        if let transition = breakers[lease.backend]?.record(outcome, for: lease.permit, now: now) {
            events.append(.breaker(lease.backend, transition))
        }
        if let ejection = outlier.record(backend: lease.backend, outcome: outcome, now: now) {
            events.append(.ejected(ejection))
        }
        if outcome == .success, let elapsed {
            latency[lease.backend, default: LatencyEWMA()].record(elapsed, now: now)
        }
        return events
    }

    /// Records one active probe. A backend that turns healthy again gets a closed breaker and a
    /// clean outlier record: the probe has proven it serves, so it rejoins at once.
    public mutating func recordProbe(
        backend: BackendID, result: ActiveHealthState.ProbeResult, now: ContinuousClock.Instant
    ) -> [RoutingEvent] {
        let transitions = health.record(backend: backend, probe: result, now: now)
        for transition in transitions where transition.model == nil && transition.to == .healthy {
            breakers[backend] = CircuitBreakerStateMachine(configuration: configuration.breaker)
            let others = backends.map(\.id).filter { $0 != backend }
            outlier.updateBackends(others)
            outlier.updateBackends(backends.map(\.id))
        }
        return transitions.map { .health($0) }
    }

    /// Records a backend's repository index (from the active probes).
    public mutating func recordIndex(backend: BackendID, index: [RepositoryModel]) {
        guard backends.contains(where: { $0.id == backend }) else { return }
        catalog.record(backend: backend, index: index)
    }

    /// Whether the router knows `model` (and `version`, when given): routed, or listed by a
    /// backend's repository index. Nothing is kept, counted or labelled for what it does not know.
    public func knows(model: String, version: String?) -> Bool {
        if let route = routes.route(for: model) {
            guard let version else { return true }
            return route.target(version: version) != nil || catalog.contains(model: model, version: version)
        }
        guard let version else { return catalog.contains(model: model) }
        return catalog.contains(model: model, version: version)
    }

    /// How many per-model balancers the state holds (bounded by the known models and versions).
    var balancerCount: Int { balancers.count }

    /// Counts one client request toward the retry budget.
    public mutating func recordRequest(now: ContinuousClock.Instant) { budget.recordRequest(now: now) }

    /// Takes one retry from the budget; false when retries are spent.
    public mutating func tryAcquireRetry(now: ContinuousClock.Instant) -> Bool { budget.tryAcquireRetry(now: now) }

    /// A jittered backoff before attempt `attempt`, clamped to the deadline; nil means give up.
    public mutating func backoff(attempt: Int, now: ContinuousClock.Instant, deadline: ContinuousClock.Instant?)
        -> Duration?
    {
        switch configuration.backoff.decision(attempt: attempt, now: now, deadline: deadline, using: &rng) {
        case .retry(let after): return after
        case .giveUp: return nil
        }
    }

    /// Replaces every route at once (a reload); in-flight requests keep the target they chose.
    public mutating func replaceRoutes(_ newRoutes: [ModelRoute], now: ContinuousClock.Instant = .now) throws {
        _ = try routes.replace(with: newRoutes)
        balancers.removeAll()
        try syncRollouts(now: now)
    }

    /// Adds or replaces one model's route.
    public mutating func upsertRoute(_ route: ModelRoute, now: ContinuousClock.Instant = .now) throws {
        _ = try routes.upsert(route)
        balancers = balancers.filter { !$0.key.hasPrefix(route.model + "|") }
        try syncRollouts(now: now)
    }

    /// Whether any backend is healthy by active probes (the router's own readiness).
    public func hasHealthyBackend() -> Bool {
        backends.contains { health.status(of: $0.id) != .unhealthy }
    }

    /// The admin view of every backend.
    public func snapshot(now: ContinuousClock.Instant) -> [BackendStatus] {
        backends.map { backend in
            BackendStatus(
                name: backend.id.rawValue,
                url: backend.url,
                labels: backend.labels,
                weight: backend.weight,
                health: health.status(of: backend.id).rawValue,
                breaker: breakers[backend.id]?.state.rawValue ?? "closed",
                ejected: outlier.isEjected(backend.id, now: now),
                outstanding: outstanding[backend.id, default: 0],
                latencyMs: latency[backend.id]?.average.map(\.millisecondsValue)
            )
        }
    }

    /// The breaker state of one backend.
    public func breakerState(of backend: BackendID) -> CircuitBreakerStateMachine.State? {
        breakers[backend]?.state
    }
}

/// One backend as `GET /admin/backends` shows it.
public struct BackendStatus: Sendable, Codable, Hashable {
    public var name: String
    public var url: String
    public var labels: [String: String]
    public var weight: Int
    public var health: String
    public var breaker: String
    public var ejected: Bool
    public var outstanding: Int
    public var latencyMs: Double?

    enum CodingKeys: String, CodingKey {
        case name, url, labels, weight, health, breaker, ejected, outstanding
        case latencyMs = "latency_ms"
    }
}
