/// Whether the rate limiter currently trusts Redis, without I/O.
///
/// It exists so that a Redis outage produces one log line and one gauge change when it starts
/// and one when it ends, never one per request, and so that requests during an outage do not
/// each wait for a connect timeout: while unavailable, one request at a time probes Redis, once
/// `probeInterval` has passed since the last failure; the others get the failure mode's
/// decision at once.
struct RedisAvailabilityStateMachine: Sendable {
    /// The two states operators see.
    enum State: Sendable, Hashable {
        case available
        case unavailable
    }

    /// What the owner does with one request.
    enum RequestAction: Sendable, Hashable {
        /// Ask Redis.
        case askRedis
        /// Ask Redis as the outage's probe; report the result with `probe: true`.
        case probe
        /// Do not ask: decide with the failure mode.
        case useFailureMode
    }

    /// A change worth one log line and a gauge update.
    enum Transition: Sendable, Hashable {
        case becameUnavailable
        case becameAvailable
    }

    private enum Internal {
        case available
        case unavailable(lastFailure: ContinuousClock.Instant, probing: Bool)
    }

    /// Minimum time between two probes during an outage.
    let probeInterval: Duration
    private var internalState: Internal = .available

    init(probeInterval: Duration) {
        self.probeInterval = probeInterval
    }

    /// The state as operators see it.
    var state: State {
        if case .available = internalState { return .available }
        return .unavailable
    }

    /// A request arrives at `now`.
    mutating func requestArrived(now: ContinuousClock.Instant) -> RequestAction {
        switch internalState {
        case .available:
            return .askRedis
        case .unavailable(let lastFailure, let probing):
            guard !probing, now - lastFailure >= probeInterval else { return .useFailureMode }
            internalState = .unavailable(lastFailure: lastFailure, probing: true)
            return .probe
        }
    }

    /// Redis answered a request (or the probe).
    mutating func succeeded() -> Transition? {
        guard case .unavailable = internalState else { return nil }
        internalState = .available
        return .becameAvailable
    }

    /// Redis failed a request (or the probe) at `now`.
    mutating func failed(now: ContinuousClock.Instant) -> Transition? {
        switch internalState {
        case .available:
            internalState = .unavailable(lastFailure: now, probing: false)
            return .becameUnavailable
        case .unavailable:
            internalState = .unavailable(lastFailure: now, probing: false)
            return nil
        }
    }

    /// The probe ended without an answer either way (its task was cancelled): let another try.
    mutating func probeAbandoned() {
        if case .unavailable(let lastFailure, true) = internalState {
            internalState = .unavailable(lastFailure: lastFailure, probing: false)
        }
    }
}
