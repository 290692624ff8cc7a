import PlatformStore

/// What the gateway remembers about API keys it has looked up, free of I/O: the principal of a
/// valid key (a positive entry) or the fact that a key is unknown or revoked (a negative entry),
/// keyed by the key's SHA-256 digest so no plaintext key is kept.
///
/// Positive and negative entries live in separate ``BoundedCache``s, so a flood of random keys
/// fills only the negative side and never pushes out the keys real clients use.
///
/// Revocation is pushed: PostgreSQL announces every changed key (``invalidate(_:)`` drops it at
/// once), and when the announcements may have been missed (the listener reconnected)
/// ``resynchronise()`` makes every entry need a fresh lookup before it is trusted again. ``Policy/ttl``
/// is the safety net should a push be lost anyway. A key created after a negative entry for it
/// works after ``Policy/negativeTTL`` (keys are random, so that only happens to a client that used
/// a key before it existed).
///
/// A lookup runs between ``beginLookup(_:)`` and ``record(_:lookup:now:)`` (or ``abandon(_:)``);
/// when its key is invalidated, or the cache resynchronised, in between, the answer may predate
/// the change and is not remembered.
struct APIKeyCache {
    /// How long entries count and how many there may be.
    struct Policy: Sendable, Hashable {
        /// How long a valid key is trusted without asking PostgreSQL while changes are pushed,
        /// should a push be lost anyway. Default 5 min.
        var ttl: Duration = .seconds(300)
        /// How long a valid key is trusted while changes are not pushed (before the listener's
        /// first connection, and from a lost connection until the next). Default 15 s.
        var unpushedTTL: Duration = .seconds(15)
        /// How long an unknown or revoked key is refused without asking. Default 15 s.
        var negativeTTL: Duration = .seconds(15)
        /// How much longer than `ttl` a valid key keeps working while PostgreSQL cannot be
        /// asked (an outage, a lease timeout). Default 10 min; zero turns it off.
        var staleIfError: Duration = .seconds(600)
        /// The most valid keys remembered. Default 10,000.
        var capacity: Int = 10_000
        /// The most unknown keys remembered. Default 10,000.
        var negativeCapacity: Int = 10_000
    }

    /// What the cache knows about one key.
    enum Answer: Equatable {
        /// A valid key, looked up less than `ttl` ago and unchanged since.
        case valid(APIKeyPrincipal)
        /// An unknown or revoked key, looked up less than `negativeTTL` ago and unchanged since.
        case invalid
        /// Nothing current: ask PostgreSQL.
        case miss
    }

    /// A lookup in progress, from ``beginLookup(_:)``.
    struct Lookup: Hashable {
        fileprivate let id: UInt64
    }

    private struct Positive {
        var principal: APIKeyPrincipal
        var storedAt: ContinuousClock.Instant
        var epoch: UInt64
    }

    private struct Negative {
        var storedAt: ContinuousClock.Instant
        var epoch: UInt64
    }

    private struct Pending {
        var digest: [UInt8]
        var overtaken = false
    }

    let policy: Policy
    private var positive: BoundedCache<[UInt8], Positive>
    private var negative: BoundedCache<[UInt8], Negative>
    /// Bumped by ``resynchronise()``: entries of an older epoch need a fresh lookup.
    private var epoch: UInt64 = 0
    /// Whether changes are being pushed now: set by ``resynchronise()`` (the listener connected),
    /// cleared by ``pushLost()``. Until then a valid key is trusted for `unpushedTTL` only.
    private(set) var isPushed = false
    private var pending: [UInt64: Pending] = [:]
    private var nextLookup: UInt64 = 0

    init(policy: Policy) {
        self.policy = policy
        positive = BoundedCache(capacity: policy.capacity)
        negative = BoundedCache(capacity: policy.negativeCapacity)
    }

    /// Entries held: (valid keys, unknown keys).
    var counts: (valid: Int, invalid: Int) { (positive.count, negative.count) }

    /// Lookups begun and not yet recorded or abandoned.
    var lookupsInProgress: Int { pending.count }

    /// What is known about the key with `digest` at `now`.
    mutating func answer(for digest: [UInt8], now: ContinuousClock.Instant) -> Answer {
        if let entry = positive.value(for: digest), entry.epoch == epoch, now - entry.storedAt < trustedFor {
            return .valid(entry.principal)
        }
        if let entry = negative.value(for: digest) {
            if entry.epoch == epoch, now - entry.storedAt < policy.negativeTTL { return .invalid }
            negative.removeValue(for: digest)
        }
        return .miss
    }

    /// Starts a lookup of the key with `digest`; finish it with ``record(_:lookup:now:)`` or
    /// ``abandon(_:)``.
    mutating func beginLookup(_ digest: [UInt8]) -> Lookup {
        nextLookup += 1
        pending[nextLookup] = Pending(digest: digest)
        return Lookup(id: nextLookup)
    }

    /// Records what PostgreSQL said in `lookup`, unless the key changed (or the cache was
    /// resynchronised) while it ran. Returns whether it was remembered.
    @discardableResult
    mutating func record(_ principal: APIKeyPrincipal?, lookup: Lookup, now: ContinuousClock.Instant) -> Bool {
        guard let finished = pending.removeValue(forKey: lookup.id), !finished.overtaken else { return false }
        record(principal, for: finished.digest, now: now)
        return true
    }

    /// Ends `lookup` without an answer (PostgreSQL could not be asked).
    mutating func abandon(_ lookup: Lookup) {
        pending.removeValue(forKey: lookup.id)
    }

    /// Records what PostgreSQL said at `now`: the key's principal, or nil for an unknown or
    /// revoked key (which also drops any positive entry, so a revocation is seen at once).
    mutating func record(_ principal: APIKeyPrincipal?, for digest: [UInt8], now: ContinuousClock.Instant) {
        if let principal {
            negative.removeValue(for: digest)
            positive.insert(Positive(principal: principal, storedAt: now, epoch: epoch), for: digest)
        } else {
            positive.removeValue(for: digest)
            negative.insert(Negative(storedAt: now, epoch: epoch), for: digest)
        }
    }

    /// The key with `digest` changed (revoked, deleted, altered): forgets both its entries, and
    /// keeps lookups of it already running from remembering what they found.
    mutating func invalidate(_ digest: [UInt8]) {
        positive.removeValue(for: digest)
        negative.removeValue(for: digest)
        for (id, lookup) in pending where lookup.digest == digest {
            pending[id]?.overtaken = true
        }
    }

    /// Changes may have been missed: every entry needs a fresh lookup before it is trusted again
    /// (positive entries still serve ``stalePrincipal(for:now:)`` while PostgreSQL cannot be
    /// asked), and lookups already running are not remembered.
    mutating func resynchronise() {
        epoch += 1
        for id in pending.keys { pending[id]?.overtaken = true }
        isPushed = true
    }

    /// Changes are no longer pushed (the listener lost its connection): until the next
    /// ``resynchronise()`` a valid key is trusted for `unpushedTTL` since its lookup, so a key
    /// revoked meanwhile stops working within that time even if the listener stays away.
    mutating func pushLost() {
        isPushed = false
    }

    /// How long a positive entry counts now.
    private var trustedFor: Duration {
        isPushed ? policy.ttl : min(policy.ttl, policy.unpushedTTL)
    }

    /// The principal of a key that was valid less than `ttl + staleIfError` ago, for use when
    /// PostgreSQL cannot be asked; nil otherwise, and nil for a key invalidated since.
    mutating func stalePrincipal(for digest: [UInt8], now: ContinuousClock.Instant) -> APIKeyPrincipal? {
        guard let entry = positive.value(for: digest), now - entry.storedAt < policy.ttl + policy.staleIfError else {
            return nil
        }
        return entry.principal
    }
}
