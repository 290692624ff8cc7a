import Metrics
import Synchronization

/// The router's Prometheus series, labelled by model, version and backend (never by request).
///
/// The per-request series are made once per label set and kept: asking the metrics factory for
/// a series on every request costs a registry lookup and several allocations.
final class RouterMetrics: Sendable {
    private struct RoutedKey: Hashable {
        var model: String
        var version: String?
    }

    private struct AttemptKey: Hashable {
        var backend: BackendID
        var outcome: String
    }

    private let routedSeries = Mutex<[RoutedKey: Counter]>([:])
    private let attemptSeries = Mutex<[AttemptKey: Counter]>([:])
    private let latencySeries = Mutex<[BackendID: Timer]>([:])

    /// Requests routed, by model and chosen version (only models and versions the router knows).
    func routed(model: String, version: String?) {
        let key = RoutedKey(model: model, version: version)
        let counter = routedSeries.withLock { series in
            if let counter = series[key] { return counter }
            let counter = Counter(
                label: "router_requests_total", dimensions: [("model", model), ("version", version ?? "default")])
            series[key] = counter
            return counter
        }
        counter.increment()
    }

    /// A request for a model or version the router does not know, under the fixed label `other`
    /// (a client's made-up names never become series).
    func unknown() {
        Counter(label: "router_requests_total", dimensions: [("model", "other"), ("version", "other")]).increment()
    }

    /// One attempt against a backend, by outcome, with its latency.
    func attempt(backend: BackendID, outcome: UpstreamOutcome, latency: Duration) {
        let key = AttemptKey(backend: backend, outcome: outcome.metricName)
        let counter = attemptSeries.withLock { series in
            if let counter = series[key] { return counter }
            let counter = Counter(
                label: "router_backend_attempts_total",
                dimensions: [("backend", backend.rawValue), ("outcome", key.outcome)])
            series[key] = counter
            return counter
        }
        counter.increment()
        let timer = latencySeries.withLock { series in
            if let timer = series[backend] { return timer }
            let timer = Timer(label: "router_backend_latency_seconds", dimensions: [("backend", backend.rawValue)])
            series[backend] = timer
            return timer
        }
        timer.recordNanoseconds(latency.nanoseconds)
    }

    /// A retry on another backend.
    func retried(model: String) {
        Counter(label: "router_retries_total", dimensions: [("model", model)]).increment()
    }

    /// A hedge sent (`outcome`: `sent`), and which attempt answered first (`won`: the hedge).
    func hedged(model: String, outcome: String) {
        Counter(label: "router_hedges_total", dimensions: [("model", model), ("outcome", outcome)]).increment()
    }

    /// A rollout decision: counted by action, and the canary's percentage now.
    func canary(model: String, decision: CanaryRollout.Decision) {
        Counter(label: "router_canary_decisions_total", dimensions: [("model", model), ("action", decision.action)])
            .increment()
        Gauge(label: "router_canary_percent", dimensions: [("model", model)]).record(decision.canaryPercent)
    }

    /// A mirrored request sent or dropped.
    func shadow(model: String, outcome: String) {
        Counter(label: "router_shadow_requests_total", dimensions: [("model", model), ("outcome", outcome)]).increment()
    }

    /// A shadow call's end: answered or failed, agreement with the primary, both latencies.
    func shadowResult(model: String, answered: Bool, agreement: Bool?, latency: Duration, primaryLatency: Duration) {
        shadow(model: model, outcome: answered ? "answered" : "failed")
        if let agreement {
            Counter(
                label: "router_shadow_agreement_total", dimensions: [("model", model), ("agree", String(agreement))]
            ).increment()
        }
        Timer(label: "router_shadow_latency_seconds", dimensions: [("model", model), ("side", "shadow")])
            .recordNanoseconds(latency.nanoseconds)
        Timer(label: "router_shadow_latency_seconds", dimensions: [("model", model), ("side", "primary")])
            .recordNanoseconds(primaryLatency.nanoseconds)
    }

    /// A passive ejection.
    func ejected(backend: BackendID) {
        Counter(label: "router_ejections_total", dimensions: [("backend", backend.rawValue)]).increment()
    }

    /// Breaker state: 0 closed, 1 half-open, 2 open.
    func breakerState(backend: BackendID, state: CircuitBreakerStateMachine.State) {
        let value: Int
        switch state {
        case .closed: value = 0
        case .halfOpen: value = 1
        case .open: value = 2
        }
        Gauge(label: "router_breaker_state", dimensions: [("backend", backend.rawValue)]).record(value)
    }

    /// Active health: 1 healthy, 0 unhealthy.
    func health(backend: BackendID, healthy: Bool) {
        Gauge(label: "router_backend_healthy", dimensions: [("backend", backend.rawValue)]).record(healthy ? 1 : 0)
    }
}

extension UpstreamOutcome {
    /// A label-safe outcome name.
    var metricName: String {
        switch self {
        case .answered(_, .success): return "success"
        case .answered: return "client_error"
        case .overloaded: return "overloaded"
        case .serverFault: return "server_error"
        case .retryable(let error): return error.name
        case .timedOut: return "timeout"
        case .cancelled: return "cancelled"
        case .failed: return "failed"
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
