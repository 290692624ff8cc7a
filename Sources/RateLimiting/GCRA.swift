/// The generic cell rate algorithm over one or more limits that must all admit a request, as pure
/// math with an injected `now`. ``GCRAScript`` runs the same arithmetic inside Redis.
///
/// Each limit stores one number, the theoretical arrival time (TAT): the instant at which its
/// quota would be fully spent again if requests kept arriving at the emission interval `T`.
/// A request of cost `n` arriving at `now` moves it to `max(TAT, now) + n·T` and is admitted
/// when that lies no further ahead of `now` than the tolerance `burst·T`. When any limit
/// refuses, no TAT moves: a refused request consumes nothing.
///
/// All times are integer microseconds, so the result is exact; durations in the decision are
/// whole milliseconds rounded up, as the script returns them.
public enum GCRA {
    /// One limit: its emission interval and burst, in microseconds and requests.
    public struct Limit: Sendable, Hashable {
        /// Time between requests at the sustained rate, in microseconds (at least 1).
        public let emissionInterval: Int64
        /// Requests admitted back to back from an idle state (at least 1).
        public let burst: Int

        /// Creates a limit from raw values.
        public init(emissionInterval: Int64, burst: Int) {
            self.emissionInterval = max(1, emissionInterval)
            self.burst = max(1, burst)
        }

        /// The limit for `policy`.
        public init(_ policy: RateLimitPolicy) {
            self.init(emissionInterval: policy.emissionIntervalMicroseconds, burst: policy.burst)
        }

        /// How far the TAT may run ahead of now: `burst · emissionInterval`.
        public var tolerance: Int64 { emissionInterval * Int64(burst) }
    }

    /// A decision and the state to store for it.
    public struct Outcome: Sendable, Hashable {
        /// The decision, as the script would return it.
        public let decision: RateLimitDecision
        /// The new TAT of every limit (microseconds) when admitted; `nil` when refused, in which
        /// case nothing is stored.
        public let newArrivalTimes: [Int64]?
    }

    /// Decides a request of `cost` against every limit at `now`.
    ///
    /// - Parameters:
    ///   - arrivalTimes: each limit's stored TAT in microseconds, `nil` when nothing is stored.
    ///   - limits: the limits, in the same order; at least one.
    ///   - cost: requests this call counts for (a cost above a limit's burst is always refused).
    ///   - now: the current time in microseconds on the same clock as the stored TATs.
    public static func evaluate(arrivalTimes: [Int64?], limits: [Limit], cost: Int, now: Int64) -> Outcome {
        precondition(!limits.isEmpty && arrivalTimes.count == limits.count, "one stored time per limit")
        let cost = Int64(cost)
        let current = arrivalTimes.map { max($0 ?? now, now) }
        let proposed = zip(current, limits).map { tat, limit in tat + limit.emissionInterval * cost }
        let allowed = zip(proposed, limits).allSatisfy { newTAT, limit in newTAT - limit.tolerance <= now }

        var binding: (index: Int, remaining: Int64, reset: Int64, retry: Int64)?
        for index in limits.indices {
            let limit = limits[index]
            let effective = allowed ? proposed[index] : current[index]
            let remaining = min(
                max(floorDivide(now + limit.tolerance - effective, limit.emissionInterval), 0), Int64(limit.burst))
            let reset = effective - now
            let retry = proposed[index] - limit.tolerance - now
            if allowed {
                if binding == nil || remaining < binding!.remaining
                    || (remaining == binding!.remaining && reset > binding!.reset)
                {
                    binding = (index, remaining, reset, 0)
                }
            } else if retry > 0, binding == nil || retry > binding!.retry {
                binding = (index, remaining, reset, retry)
            }
        }
        let chosen = binding!
        let decision = RateLimitDecision(
            allowed: allowed,
            limit: limits[chosen.index].burst,
            remaining: Int(chosen.remaining),
            resetAfter: .milliseconds(ceilingDivide(chosen.reset, 1000)),
            retryAfter: .milliseconds(ceilingDivide(chosen.retry, 1000))
        )
        return Outcome(decision: decision, newArrivalTimes: allowed ? proposed : nil)
    }

    /// How long a stored TAT is still needed: until it falls back to `now`, in whole
    /// milliseconds rounded up, at least 1. After that the key holds nothing an absent key
    /// would not.
    public static func expiryMilliseconds(newArrivalTime: Int64, now: Int64) -> Int64 {
        max(1, ceilingDivide(newArrivalTime - now, 1000))
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    private static func ceilingDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        -floorDivide(-value, divisor)
    }
}
