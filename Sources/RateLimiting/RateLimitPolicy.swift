/// A rate: `limit` requests per `period`, of which up to `burst` may arrive at once.
///
/// Enforced with GCRA: requests are spaced one emission interval (`period / limit`) apart on
/// average, and a client that has been idle may send `burst` requests back to back. With
/// `burst == limit` (the default) a fresh client gets exactly `limit` requests immediately,
/// then one more every `period / limit`.
public struct RateLimitPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Requests allowed per period, on average. At least 1.
    public let limit: Int
    /// The window the limit applies to. Positive.
    public let period: Duration
    /// Requests that may arrive back to back after an idle time; also the ceiling of
    /// `RateLimit-Remaining`. At least 1.
    public let burst: Int

    /// Creates a policy; `burst` defaults to `limit`.
    ///
    /// - Precondition: `limit >= 1`, `burst >= 1`, `period > .zero`.
    public init(limit: Int, period: Duration, burst: Int? = nil) {
        precondition(limit >= 1, "a rate limit allows at least one request per period")
        precondition(period > .zero, "a rate limit period must be positive")
        let burst = burst ?? limit
        precondition(burst >= 1, "a rate limit burst is at least one request")
        self.limit = limit
        self.period = period
        self.burst = burst
    }

    /// `limit` requests per second.
    public static func perSecond(_ limit: Int, burst: Int? = nil) -> RateLimitPolicy {
        RateLimitPolicy(limit: limit, period: .seconds(1), burst: burst)
    }

    /// `limit` requests per minute.
    public static func perMinute(_ limit: Int, burst: Int? = nil) -> RateLimitPolicy {
        RateLimitPolicy(limit: limit, period: .seconds(60), burst: burst)
    }

    /// The GCRA emission interval `period / limit` in whole microseconds, rounded up (so the
    /// enforced rate never exceeds the policy) and at least 1.
    public var emissionIntervalMicroseconds: Int64 {
        let period = Self.microseconds(period)
        let limit = Int64(limit)
        return max(1, (period + limit - 1) / limit)
    }

    public var description: String { "\(limit) per \(period) (burst \(burst))" }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
