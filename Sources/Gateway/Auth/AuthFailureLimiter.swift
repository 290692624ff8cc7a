import RateLimiting
import Synchronization

/// Limits failed authentications per client address with the shared Redis GCRA limiter, so
/// guessing keys or tokens is slow and a flood of random API keys cannot turn into a flood of
/// PostgreSQL queries.
///
/// Every failure charges the address's bucket (`{prefix}:{authfail:ADDRESS}`). Once the bucket
/// refuses, the address is remembered here as blocked until the `Retry-After` Redis gave, and
/// until then its credentials that would need a PostgreSQL lookup, and every further failure,
/// get 429 without a query. Credentials already known to be valid (a cached API key, a good
/// JWT) still work, so one client's mistakes never lock out a shared address's other clients.
final class AuthFailureLimiter: Sendable {
    private let limiter: RateLimiter
    private let policy: RateLimitPolicy
    private let blockedUntil: Mutex<BoundedCache<String, ContinuousClock.Instant>>
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Charges failures to `limiter` under `policy`; `now` is the clock for local blocks.
    init(
        limiter: RateLimiter, policy: RateLimitPolicy, capacity: Int = 10_000,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.limiter = limiter
        self.policy = policy
        self.blockedUntil = Mutex(BoundedCache(capacity: capacity))
        self.now = now
    }

    /// How long `client` must still wait, when it is blocked; nil when it is not.
    func retryAfter(client: String) -> Duration? {
        let current = now()
        return blockedUntil.withLock { blocked in
            guard let until = blocked.value(for: client) else { return nil }
            guard until > current else {
                blocked.removeValue(for: client)
                return nil
            }
            return current.duration(to: until)
        }
    }

    /// Charges one failed authentication to `client`.
    ///
    /// - Returns: nil while the address is within its allowance (answer 401), or the wait to
    ///   announce when it is not (answer 429).
    func recordFailure(client: String) async throws(CancellationError) -> Duration? {
        if let wait = retryAfter(client: client) { return wait }
        let decision = try await limiter.check(principal: "authfail:" + client, policy: policy)
        guard !decision.allowed else { return nil }
        let wait = max(decision.retryAfter, .seconds(1))
        if decision.enforced {
            let until = now() + wait
            blockedUntil.withLock { $0.insert(until, for: client) }
        }
        return wait
    }
}
