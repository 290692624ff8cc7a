/// Exponential backoff with full jitter, and the rule that keeps retries inside the deadline.
///
/// Before retry `attempt` (1 for the first retry) wait a uniform random time in
/// `0...min(cap, base × 2^(attempt−1))`. Full jitter spreads retries of many clients apart.
public struct Backoff: Sendable, Hashable {
    /// Whether to retry, and after how long.
    public enum Decision: Sendable, Hashable {
        /// Wait `after`, then retry.
        case retry(after: Duration)
        /// Do not retry: the deadline would pass before a retry could finish.
        case giveUp
    }

    /// The ceiling of the first retry's delay. Default 25 ms.
    public var base: Duration
    /// The largest ceiling any delay may have. Default 1 s.
    public var cap: Duration
    /// Time a retry needs before the deadline to be worth sending. Default 10 ms.
    public var minimumAttemptTime: Duration

    /// Creates a backoff; every parameter has the documented default.
    public init(
        base: Duration = .milliseconds(25),
        cap: Duration = .seconds(1),
        minimumAttemptTime: Duration = .milliseconds(10)
    ) {
        self.base = base
        self.cap = cap
        self.minimumAttemptTime = minimumAttemptTime
    }

    /// The largest delay retry `attempt` may get: `min(cap, base × 2^(attempt−1))`.
    public func ceiling(attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 40)
        return min(base * (1 << doublings), cap)
    }

    /// A random delay in `0...ceiling(attempt:)`, at nanosecond resolution.
    public func delay(attempt: Int, using rng: inout some RandomNumberGenerator) -> Duration {
        let nanos = ceiling(attempt: attempt).clampedNanoseconds
        guard nanos > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanos, using: &rng))
    }

    /// The jittered delay for `attempt`, clamped to the client's deadline (see ``clamp(_:now:deadline:)``).
    public func decision(
        attempt: Int,
        now: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant?,
        using rng: inout some RandomNumberGenerator
    ) -> Decision {
        clamp(delay(attempt: attempt, using: &rng), now: now, deadline: deadline)
    }

    /// Fits `delay` before `deadline`, leaving ``minimumAttemptTime`` for the retry itself.
    ///
    /// Gives up when less than `minimumAttemptTime` remains; otherwise the delay is shortened
    /// so the retry starts at the latest `minimumAttemptTime` before the deadline. No deadline
    /// leaves the delay as it is.
    public func clamp(_ delay: Duration, now: ContinuousClock.Instant, deadline: ContinuousClock.Instant?)
        -> Decision
    {
        let delay = max(delay, .zero)
        guard let deadline else { return .retry(after: delay) }
        let usable = (deadline - now) - max(minimumAttemptTime, .zero)
        guard usable > .zero else { return .giveUp }
        return .retry(after: min(delay, usable))
    }
}
