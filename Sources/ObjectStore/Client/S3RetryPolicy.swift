import Resilience
/// Bounded retries with exponential backoff for idempotent S3 requests.
///
/// Only transient failures are retried: HTTP 500/502/503/504, S3's `SlowDown`/`InternalError`/
/// `RequestTimeout`, refused or broken connections and timeouts. The delays are deterministic
/// (no jitter) and slept on the client's injected clock.
public struct S3RetryPolicy: Sendable {
    /// Attempts in total, including the first one; 1 disables retries. Default 3.
    public var maxAttempts: Int
    /// Delay before the second attempt; each later delay doubles. Default 100 ms.
    public var initialBackoff: Duration
    /// Upper bound for any one delay. Default 2 s.
    public var maxBackoff: Duration

    /// Creates a policy; every argument has the documented default.
    public init(maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(2))
    {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// No retries: every failure is returned at once.
    public static let none = S3RetryPolicy(maxAttempts: 1)

    /// The delay after failed attempt number `attempt` (1-based) before the next one.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        Backoff(initial: initialBackoff, maximum: maxBackoff, jitter: 0).ceiling(attempt: attempt)
    }
}
