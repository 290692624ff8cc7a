/// Exponential backoff with jitter, and the rule that keeps retries inside a deadline: the one
/// backoff of the platform (the router's retries, the batch worker's, callbacks, S3 requests).
///
/// Before retry `attempt` (1 for the first) the delay's ceiling is
/// `min(maximum, initial × 2^(attempt−1))`; `jitter` (0…1) removes a uniformly random part of
/// up to that fraction of it. `jitter` 1 is full jitter (a delay anywhere in `0...ceiling`, which
/// spreads the retries of many clients apart), 0 is deterministic.
public struct Backoff: Sendable, Hashable {
    /// Whether to retry, and after how long.
    public enum Decision: Sendable, Hashable {
        /// Wait `after`, then retry.
        case retry(after: Duration)
        /// Do not retry: the deadline would pass before a retry could finish.
        case giveUp
    }

    /// The ceiling of the first retry's delay.
    public var initial: Duration
    /// The largest ceiling any delay may have.
    public var maximum: Duration
    /// The fraction of a delay's ceiling that may be removed at random (0…1).
    public var jitter: Double
    /// Time a retry needs before the deadline to be worth sending.
    public var minimumAttemptTime: Duration

    /// Creates a backoff.
    public init(
        initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), jitter: Double = 0.2,
        minimumAttemptTime: Duration = .milliseconds(10)
    ) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
        self.minimumAttemptTime = minimumAttemptTime
    }

    /// The largest delay retry `attempt` may get: `min(maximum, initial × 2^(attempt−1))`.
    public func ceiling(attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 40)
        return min(initial * (1 << doublings), maximum)
    }

    /// The delay before retry `attempt`: its ceiling less a random part of up to ``jitter`` of it,
    /// at nanosecond resolution.
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(attempt: attempt)
        guard jitter > 0 else { return ceiling }
        let nanos = ceiling.clampedNanoseconds
        guard nanos > 0 else { return .zero }
        let removable = Int64(Double(nanos) * jitter)
        return .nanoseconds(nanos - Int64.random(in: 0...removable, using: &generator))
    }

    /// The jittered delay for `attempt`, clamped to the client's deadline (see ``clamp(_:now:deadline:)``).
    public func decision(
        attempt: Int, now: ContinuousClock.Instant, deadline: ContinuousClock.Instant?,
        using generator: inout some RandomNumberGenerator
    ) -> Decision {
        clamp(delay(attempt: attempt, using: &generator), now: now, deadline: deadline)
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
