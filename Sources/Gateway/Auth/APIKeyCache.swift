import PlatformStore

/// What the gateway remembers about API keys it has looked up, free of I/O: the principal of a
/// valid key (a positive entry) or the fact that a key is unknown or revoked (a negative entry),
/// each for a short time, keyed by the key's SHA-256 digest so no plaintext key is kept.
///
/// Positive and negative entries live in separate ``BoundedCache``s, so a flood of random keys
/// fills only the negative side and never pushes out the keys real clients use.
///
/// Revocation applies within ``Policy/ttl``: a key revoked in PostgreSQL keeps working on a
/// gateway that cached it until its entry expires. A key created after a negative entry for it
/// works after ``Policy/negativeTTL`` (keys are random, so that only happens to a client that
/// used a key before it existed).
struct APIKeyCache {
    /// How long entries count and how many there may be.
    struct Policy: Sendable, Hashable {
        /// How long a valid key is trusted without asking PostgreSQL. Default 15 s.
        var ttl: Duration = .seconds(15)
        /// How long an unknown or revoked key is refused without asking. Default 15 s.
        var negativeTTL: Duration = .seconds(15)
        /// How much longer than `ttl` a valid key keeps working while PostgreSQL cannot be
        /// asked (an outage, a lease timeout). Default 60 s; zero turns it off.
        var staleIfError: Duration = .seconds(60)
        /// The most valid keys remembered. Default 10,000.
        var capacity: Int = 10_000
        /// The most unknown keys remembered. Default 10,000.
        var negativeCapacity: Int = 10_000
    }

    /// What the cache knows about one key.
    enum Answer: Equatable {
        /// A valid key, looked up less than `ttl` ago.
        case valid(APIKeyPrincipal)
        /// An unknown or revoked key, looked up less than `negativeTTL` ago.
        case invalid
        /// Nothing current: ask PostgreSQL.
        case miss
    }

    private struct Positive {
        var principal: APIKeyPrincipal
        var storedAt: ContinuousClock.Instant
    }

    let policy: Policy
    private var positive: BoundedCache<[UInt8], Positive>
    private var negative: BoundedCache<[UInt8], ContinuousClock.Instant>

    init(policy: Policy) {
        self.policy = policy
        positive = BoundedCache(capacity: policy.capacity)
        negative = BoundedCache(capacity: policy.negativeCapacity)
    }

    /// Entries held: (valid keys, unknown keys).
    var counts: (valid: Int, invalid: Int) { (positive.count, negative.count) }

    /// What is known about the key with `digest` at `now`.
    mutating func answer(for digest: [UInt8], now: ContinuousClock.Instant) -> Answer {
        if let entry = positive.value(for: digest), now - entry.storedAt < policy.ttl {
            return .valid(entry.principal)
        }
        if let storedAt = negative.value(for: digest) {
            if now - storedAt < policy.negativeTTL { return .invalid }
            negative.removeValue(for: digest)
        }
        return .miss
    }

    /// Records what PostgreSQL said at `now`: the key's principal, or nil for an unknown or
    /// revoked key (which also drops any positive entry, so a revocation is seen at once).
    mutating func record(_ principal: APIKeyPrincipal?, for digest: [UInt8], now: ContinuousClock.Instant) {
        if let principal {
            negative.removeValue(for: digest)
            positive.insert(Positive(principal: principal, storedAt: now), for: digest)
        } else {
            positive.removeValue(for: digest)
            negative.insert(now, for: digest)
        }
    }

    /// The principal of a key that was valid less than `ttl + staleIfError` ago, for use when
    /// PostgreSQL cannot be asked; nil otherwise.
    mutating func stalePrincipal(for digest: [UInt8], now: ContinuousClock.Instant) -> APIKeyPrincipal? {
        guard let entry = positive.value(for: digest), now - entry.storedAt < policy.ttl + policy.staleIfError else {
            return nil
        }
        return entry.principal
    }
}
