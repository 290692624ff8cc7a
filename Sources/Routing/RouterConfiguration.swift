import Resilience
/// Everything that tunes the router's resilience; each field has a documented default.
public struct RouterConfiguration: Sendable {
    /// Circuit breaker per backend.
    public var breaker: CircuitBreakerConfiguration
    /// Passive outlier detection from live traffic.
    public var outlier: OutlierDetectorConfiguration
    /// Active probes. Default: every 1 s, 2 failures mark unhealthy, 1 success marks healthy.
    public var health: ActiveHealthConfiguration
    /// Retries allowed as a fraction of recent traffic.
    public var retryBudget: RetryBudgetConfiguration
    /// Backoff between attempts. Default 10 ms base, 200 ms cap.
    public var backoff: Backoff
    /// Attempts per request, the first included. Default 3.
    public var maxAttempts: Int
    /// Upstream timeout when the client sets no deadline. Default 30 s.
    public var defaultTimeout: Duration
    /// Seed for balancing and canary randomness; nil seeds from the system generator.
    public var randomSeed: UInt64?
    /// How often backends' Prometheus endpoints are read for ``BalancingStrategy/leastQueue``.
    /// Default 500 ms; a backend's reading counts for four intervals.
    public var queueInterval: Duration = .milliseconds(500)

    /// Creates a configuration with the documented defaults.
    public init(
        breaker: CircuitBreakerConfiguration = .init(),
        outlier: OutlierDetectorConfiguration = .init(),
        health: ActiveHealthConfiguration = .init(
            unhealthyThreshold: 2, healthyThreshold: 1, interval: .seconds(1), timeout: .milliseconds(800)),
        retryBudget: RetryBudgetConfiguration = .init(),
        backoff: Backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(200), jitter: 1),
        maxAttempts: Int = 3,
        defaultTimeout: Duration = .seconds(30),
        randomSeed: UInt64? = nil
    ) {
        self.breaker = breaker
        self.outlier = outlier
        self.health = health
        self.retryBudget = retryBudget
        self.backoff = backoff
        self.maxAttempts = maxAttempts
        self.defaultTimeout = defaultTimeout
        self.randomSeed = randomSeed
    }
}
