import Metrics
import PlatformStore
import Synchronization

/// API-key lookups through an ``APIKeyCache``: PostgreSQL is asked only for keys not seen within
/// the cache's TTL (or changed since: see ``invalidate(digest:)`` and ``resynchronise()``), and a
/// key that was valid shortly before keeps working while PostgreSQL cannot be asked.
///
/// Metric: `gateway_api_key_lookups_total{result}` with `result` one of `cached` (a valid key
/// from the cache), `cached_invalid` (an unknown key from the cache), `queried` (PostgreSQL
/// asked), `stale` (a valid key served from the cache during a key-store failure).
final class CachingAPIKeyStore: Sendable {
    /// A key's standing.
    enum Outcome: Sendable, Equatable {
        case valid(APIKeyPrincipal)
        case invalid
    }

    private let store: APIKeyStore
    private let cache: Mutex<APIKeyCache>
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cached: Counter
    private let cachedInvalid: Counter
    private let queried: Counter
    private let stale: Counter

    /// Looks keys up in `store`, remembering answers as `policy` says; `now` is the clock.
    init(
        store: APIKeyStore, policy: APIKeyCache.Policy, metricsFactory: any MetricsFactory,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.store = store
        self.cache = Mutex(APIKeyCache(policy: policy))
        self.now = now
        let label = "gateway_api_key_lookups_total"
        cached = Counter(label: label, dimensions: [("result", "cached")], factory: metricsFactory)
        cachedInvalid = Counter(label: label, dimensions: [("result", "cached_invalid")], factory: metricsFactory)
        queried = Counter(label: label, dimensions: [("result", "queried")], factory: metricsFactory)
        stale = Counter(label: label, dimensions: [("result", "stale")], factory: metricsFactory)
    }

    /// The cached standing of `key`, without asking PostgreSQL; nil when the cache holds
    /// nothing current for it.
    func cachedOutcome(_ key: String) -> Outcome? {
        let digest = SHA256Digest.hash(key)
        let answer = cache.withLock { $0.answer(for: digest, now: now()) }
        switch answer {
        case .valid(let principal):
            cached.increment()
            return .valid(principal)
        case .invalid:
            cachedInvalid.increment()
            return .invalid
        case .miss:
            return nil
        }
    }

    /// Asks PostgreSQL about `key` and remembers the answer.
    ///
    /// - Throws: the key store's error when it cannot answer and the key was not valid recently.
    func query(_ key: String) async throws -> Outcome {
        let digest = SHA256Digest.hash(key)
        queried.increment()
        let lookup = cache.withLock { $0.beginLookup(digest) }
        let found: APIKeyPrincipal?
        do {
            found = try await store.lookup(key)
        } catch {
            let principal = cache.withLock { cache in
                cache.abandon(lookup)
                return cache.stalePrincipal(for: digest, now: now())
            }
            if let principal {
                stale.increment()
                return .valid(principal)
            }
            throw error
        }
        cache.withLock { _ = $0.record(found, lookup: lookup, now: now()) }
        return found.map(Outcome.valid) ?? .invalid
    }

    /// Forgets the key whose SHA-256 digest is `digest` (it was revoked or changed), so its next
    /// use asks PostgreSQL.
    func invalidate(digest: [UInt8]) {
        cache.withLock { $0.invalidate(digest) }
    }

    /// Makes every remembered key need a fresh lookup before it is trusted again (changes may
    /// have been missed); a valid key whose lookup then fails still works within the stale limit.
    func resynchronise() {
        cache.withLock { $0.resynchronise() }
    }

    /// Changes are no longer pushed: valid keys are trusted for the short unpushed TTL until the
    /// next ``resynchronise()``.
    func pushLost() {
        cache.withLock { $0.pushLost() }
    }
}
