/// Active health: the results of periodic readiness probes, per backend and per model.
///
/// A probe reports whether the server is ready (`/v2/health/ready`) and which models are ready
/// (`/v2/models/{m}/ready`). Status flips only after `unhealthyThreshold` bad probes or
/// `healthyThreshold` good probes in a row; the first probe of a subject sets its status at once.
/// Pure state; the owner runs the probes and passes the time in.
public struct ActiveHealthState: Sendable {
    /// The health of a backend or of one model on it (also a metrics label).
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Not probed yet. Routable, so traffic flows before the first probe completes.
        case unknown
        /// Passing probes.
        case healthy
        /// Failing probes: route nothing here.
        case unhealthy
    }

    /// What one probe round found on one backend.
    public struct ProbeResult: Sendable, Hashable {
        /// Whether `/v2/health/ready` answered 200.
        public var serverReady: Bool
        /// Readiness of each probed model; models left out keep their previous status.
        public var modelsReady: [String: Bool]

        /// Creates a probe result.
        public init(serverReady: Bool, modelsReady: [String: Bool] = [:]) {
            self.serverReady = serverReady
            self.modelsReady = modelsReady
        }
    }

    /// A change of status, returned so the owner can log it and update metrics.
    public struct Transition: Sendable, Hashable {
        /// The backend concerned.
        public let backend: BackendID
        /// The model concerned, or `nil` for the server itself.
        public let model: String?
        /// The status before.
        public let from: Status
        /// The status after.
        public let to: Status

        /// Creates a transition record.
        public init(backend: BackendID, model: String?, from: Status, to: Status) {
            self.backend = backend
            self.model = model
            self.from = from
            self.to = to
        }
    }

    private struct Tracker: Sendable {
        var status: Status = .unknown
        var passes = 0
        var failures = 0

        mutating func record(ok: Bool, configuration: ActiveHealthConfiguration) -> (Status, Status)? {
            let previous = status
            if ok {
                passes += 1
                failures = 0
                if status != .healthy && (status == .unknown || passes >= configuration.healthyThreshold) {
                    status = .healthy
                }
            } else {
                failures += 1
                passes = 0
                if status != .unhealthy && (status == .unknown || failures >= configuration.unhealthyThreshold) {
                    status = .unhealthy
                }
            }
            return previous == status ? nil : (previous, status)
        }
    }

    private struct BackendHealth: Sendable {
        var server = Tracker()
        var models: [String: Tracker] = [:]
        var lastProbe: ContinuousClock.Instant?
    }

    /// The configuration this state was created with.
    public let configuration: ActiveHealthConfiguration
    private var backends: [BackendID: BackendHealth] = [:]

    /// Creates an empty state; every backend and model starts `.unknown`.
    public init(configuration: ActiveHealthConfiguration = .init()) {
        self.configuration = configuration
    }

    /// Records one probe round on `backend`; returns every status change it caused.
    public mutating func record(backend: BackendID, probe: ProbeResult, now: ContinuousClock.Instant)
        -> [Transition]
    {
        var health = backends[backend] ?? BackendHealth()
        var transitions: [Transition] = []
        health.lastProbe = now
        if let (from, to) = health.server.record(ok: probe.serverReady, configuration: configuration) {
            transitions.append(Transition(backend: backend, model: nil, from: from, to: to))
        }
        for (model, ready) in probe.modelsReady.sorted(by: { $0.key < $1.key }) {
            var tracker = health.models[model] ?? Tracker()
            if let (from, to) = tracker.record(ok: ready, configuration: configuration) {
                transitions.append(Transition(backend: backend, model: model, from: from, to: to))
            }
            health.models[model] = tracker
        }
        backends[backend] = health
        return transitions
    }

    /// The server status of `backend`.
    public func status(of backend: BackendID) -> Status {
        backends[backend]?.server.status ?? .unknown
    }

    /// The status of `model` on `backend`; `.unhealthy` whenever the server itself is.
    public func status(of model: String, on backend: BackendID) -> Status {
        guard let health = backends[backend] else { return .unknown }
        if health.server.status == .unhealthy { return .unhealthy }
        return health.models[model]?.status ?? .unknown
    }

    /// Whether `backend` may receive traffic for `model` (status is not `.unhealthy`).
    public func isRoutable(_ backend: BackendID, model: String) -> Bool {
        status(of: model, on: backend) != .unhealthy
    }

    /// When `backend` was last probed, if ever.
    public func lastProbe(of backend: BackendID) -> ContinuousClock.Instant? {
        backends[backend]?.lastProbe
    }

    /// Forgets every backend not in `backends` (after a pool change).
    public mutating func retain(backends keep: some Sequence<BackendID>) {
        let kept = Set(keep)
        backends = backends.filter { kept.contains($0.key) }
    }
}
