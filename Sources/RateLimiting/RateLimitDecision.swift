/// The answer to one rate-limit check, ready to become response headers.
///
/// When a request is checked against several limits (principal and model), the fields describe
/// the most restrictive one: the refusing limit with the longest wait, or, when all admit, the
/// one with the fewest requests left.
public struct RateLimitDecision: Sendable, Hashable {
    /// Whether the request may proceed.
    public let allowed: Bool
    /// The binding limit's burst: the most requests that can be made at once (`RateLimit-Limit`).
    public let limit: Int
    /// Requests that could still be made right now, after this one (`RateLimit-Remaining`).
    public let remaining: Int
    /// Time until the binding limit is fully replenished (`RateLimit-Reset`).
    public let resetAfter: Duration
    /// Time until a request of the same cost would be admitted; zero when allowed (`Retry-After`).
    public let retryAfter: Duration
    /// False when Redis could not be asked and the configured failure mode decided instead.
    public let enforced: Bool

    /// Creates a decision.
    public init(
        allowed: Bool, limit: Int, remaining: Int, resetAfter: Duration, retryAfter: Duration, enforced: Bool = true
    ) {
        self.allowed = allowed
        self.limit = limit
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.retryAfter = retryAfter
        self.enforced = enforced
    }

    /// The response headers for this decision, durations in whole seconds rounded up:
    /// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, and `Retry-After` when refused.
    ///
    /// A decision that was not ``enforced`` has no quota to report: a fail-open one yields no
    /// headers, a fail-closed one only `Retry-After`.
    public var headerFields: [(name: String, value: String)] {
        guard enforced else {
            return allowed ? [] : [("Retry-After", String(Self.seconds(roundingUp: retryAfter, minimum: 1)))]
        }
        var fields: [(name: String, value: String)] = [
            ("RateLimit-Limit", String(limit)),
            ("RateLimit-Remaining", String(remaining)),
            ("RateLimit-Reset", String(Self.seconds(roundingUp: resetAfter))),
        ]
        if !allowed {
            fields.append(("Retry-After", String(Self.seconds(roundingUp: retryAfter, minimum: 1))))
        }
        return fields
    }

    /// Whole seconds in `duration`, rounded up (`0.2 s` → 1, `2 s` → 2), never below `minimum`.
    public static func seconds(roundingUp duration: Duration, minimum: Int64 = 0) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let whole = attoseconds > 0 ? seconds + 1 : seconds
        return max(minimum, whole)
    }
}
