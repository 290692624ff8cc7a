import Metrics

/// The rate limiter's series: decisions by outcome, and whether Redis is reachable.
///
/// - `rate_limit_decisions_total{outcome="allowed|refused|fail_open|fail_closed"}`
/// - `rate_limit_redis_available` (1 or 0)
struct RateLimiterMetrics: Sendable {
    /// The outcome label of one decision.
    enum Outcome: String, Sendable, CaseIterable {
        case allowed
        case refused
        case failOpen = "fail_open"
        case failClosed = "fail_closed"
    }

    private let counters: [Outcome: Counter]
    private let redisAvailable: Gauge

    init(factory: any MetricsFactory) {
        var counters: [Outcome: Counter] = [:]
        for outcome in Outcome.allCases {
            counters[outcome] = Counter(
                label: "rate_limit_decisions_total", dimensions: [("outcome", outcome.rawValue)], factory: factory)
        }
        self.counters = counters
        self.redisAvailable = Gauge(label: "rate_limit_redis_available", factory: factory)
    }

    /// Counts one decision.
    func decided(_ outcome: Outcome) {
        counters[outcome]?.increment()
    }

    /// Records whether Redis is reachable.
    func redisAvailability(_ available: Bool) {
        redisAvailable.record(available ? 1 : 0)
    }
}
