/// How the rate limiter names its keys and what it does when Redis cannot be asked.
public struct RateLimiterConfiguration: Sendable, Hashable {
    /// What to decide when Redis is unreachable, times out, or errors.
    public enum FailureMode: Sendable, Hashable {
        /// Admit every request (availability over protection). The default.
        case open
        /// Refuse every request, telling clients to come back after `retryAfter` (default 1 s).
        case closed(retryAfter: Duration = .seconds(1))
    }

    /// Key naming; default prefix `rl`.
    public var keys: RateLimitKeys
    /// The decision while Redis is unavailable; default ``FailureMode/open``.
    public var failureMode: FailureMode
    /// During an outage, the minimum time between two attempts to reach Redis; requests in
    /// between get the failure mode's decision without waiting. Default 1 s.
    public var probeInterval: Duration

    /// Creates a configuration.
    public init(
        keys: RateLimitKeys = RateLimitKeys(),
        failureMode: FailureMode = .open,
        probeInterval: Duration = .seconds(1)
    ) {
        self.keys = keys
        self.failureMode = failureMode
        self.probeInterval = probeInterval
    }
}
