import Configuration
import Foundation
import PlatformStore
import Testing

@testable import Gateway

/// The API-key cache with pushed changes: a key dropped by its digest, every entry marked after a
/// resynchronisation, lookups overtaken by a change, and a PostgreSQL outage, on an injected clock.
@Suite("API-key cache with pushed changes")
struct APIKeyCachePushTests {
    static let start = ContinuousClock.now
    static let alice = APIKeyPrincipal(id: UUID(), principal: "alice", scopes: ["infer"], rateLimit: nil)
    static let bob = APIKeyPrincipal(id: UUID(), principal: "bob", scopes: ["infer"], rateLimit: 5)

    static func digest(_ index: Int) -> [UInt8] { SHA256Digest.hash("key-\(index)") }

    /// A lookup of `digest` that found `principal` at `now`; returns whether it was remembered.
    @discardableResult
    static func lookUp(
        _ cache: inout APIKeyCache, _ digest: [UInt8], found principal: APIKeyPrincipal?,
        now: ContinuousClock.Instant = start
    ) -> Bool {
        let lookup = cache.beginLookup(digest)
        return cache.record(principal, lookup: lookup, now: now)
    }

    @Test("the defaults: valid keys 5 min, unknown keys 15 s, 10 min more while PostgreSQL is down")
    func defaults() {
        let policy = APIKeyCache.Policy()
        #expect(policy.ttl == .seconds(300))
        #expect(policy.negativeTTL == .seconds(15))
        #expect(policy.staleIfError == .seconds(600))
        #expect(AuthSettings().apiKeyCachePolicy == policy)
    }

    @Test("a pushed change drops the key's positive and negative entries at once, and only that key's")
    func invalidateByDigest() {
        var cache = APIKeyCache(policy: .init())
        Self.lookUp(&cache, Self.digest(1), found: Self.alice)
        Self.lookUp(&cache, Self.digest(2), found: Self.bob)
        Self.lookUp(&cache, Self.digest(3), found: nil)
        cache.invalidate(Self.digest(1))
        cache.invalidate(Self.digest(3))
        let now = Self.start + .seconds(1)
        #expect(cache.answer(for: Self.digest(1), now: now) == .miss)
        #expect(cache.stalePrincipal(for: Self.digest(1), now: now) == nil, "a revoked key never works stale")
        #expect(cache.answer(for: Self.digest(3), now: now) == .miss)
        #expect(cache.answer(for: Self.digest(2), now: now) == .valid(Self.bob))
        #expect(cache.counts.valid == 1)
        #expect(cache.counts.invalid == 0)
    }

    @Test("a lookup overtaken by a change of its key is answered but not remembered; others are")
    func overtakenLookup() {
        var cache = APIKeyCache(policy: .init())
        let racing = cache.beginLookup(Self.digest(1))
        let unrelated = cache.beginLookup(Self.digest(2))
        // The revocation commits and is pushed while the lookup's (older) answer is on its way.
        cache.invalidate(Self.digest(1))
        #expect(cache.record(Self.alice, lookup: racing, now: Self.start) == false)
        #expect(cache.record(Self.bob, lookup: unrelated, now: Self.start) == true)
        #expect(cache.answer(for: Self.digest(1), now: Self.start) == .miss)
        #expect(cache.answer(for: Self.digest(2), now: Self.start) == .valid(Self.bob))
        #expect(cache.lookupsInProgress == 0)
        let failed = cache.beginLookup(Self.digest(3))
        cache.abandon(failed)
        #expect(cache.lookupsInProgress == 0)
    }

    @Test("after a resynchronisation every entry needs a fresh lookup; a fresh answer is trusted again")
    func resynchroniseMarksEverything() {
        var cache = APIKeyCache(policy: .init())
        Self.lookUp(&cache, Self.digest(1), found: Self.alice)
        Self.lookUp(&cache, Self.digest(2), found: nil)
        let inFlight = cache.beginLookup(Self.digest(3))
        cache.resynchronise()
        let now = Self.start + .seconds(1)
        #expect(cache.answer(for: Self.digest(1), now: now) == .miss)
        #expect(cache.answer(for: Self.digest(2), now: now) == .miss)
        #expect(cache.record(Self.bob, lookup: inFlight, now: now) == false, "begun before the resync")
        // While PostgreSQL cannot answer, the marked key still works within the stale limit.
        #expect(cache.stalePrincipal(for: Self.digest(1), now: now) == Self.alice)
        // PostgreSQL answers: a key revoked during the gap is refused, a valid one trusted again.
        #expect(Self.lookUp(&cache, Self.digest(1), found: nil, now: now))
        #expect(cache.answer(for: Self.digest(1), now: now) == .invalid)
        #expect(cache.stalePrincipal(for: Self.digest(1), now: now) == nil)
        #expect(Self.lookUp(&cache, Self.digest(3), found: Self.bob, now: now))
        #expect(cache.answer(for: Self.digest(3), now: now + .seconds(299)) == .valid(Self.bob))
    }

    @Test("over a PostgreSQL outage a known key keeps working past its TTL until TTL + stale-if-error")
    func staleOverOutage() {
        var cache = APIKeyCache(policy: .init(ttl: .seconds(300), staleIfError: .seconds(600)))
        cache.resynchronise()  // the listener is connected: changes are pushed
        Self.lookUp(&cache, Self.digest(1), found: Self.alice)
        // The outage begins at 4 min; each use past the TTL tries a lookup, which fails.
        for minute in [4, 5, 8, 12, 14] {
            let now = Self.start + .seconds(minute * 60)
            if minute < 5 {
                #expect(cache.answer(for: Self.digest(1), now: now) == .valid(Self.alice))
            } else {
                #expect(cache.answer(for: Self.digest(1), now: now) == .miss)
                let lookup = cache.beginLookup(Self.digest(1))
                cache.abandon(lookup)
                #expect(cache.stalePrincipal(for: Self.digest(1), now: now) == Self.alice, "minute \(minute)")
            }
        }
        #expect(cache.stalePrincipal(for: Self.digest(1), now: Self.start + .seconds(900)) == nil)
        #expect(cache.stalePrincipal(for: Self.digest(2), now: Self.start) == nil, "an unknown key: 503")
        // PostgreSQL is back within the stale limit: the key is trusted for a full TTL again.
        let back = Self.start + .seconds(840)
        #expect(Self.lookUp(&cache, Self.digest(1), found: Self.alice, now: back))
        #expect(cache.answer(for: Self.digest(1), now: back + .seconds(299)) == .valid(Self.alice))
    }

    @Test("a notification payload is a 64-character hexadecimal digest; anything else is not")
    func payloadDigest() {
        let digest = SHA256Digest.hash("tgk_example")
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        #expect(APIKeyChangeListener.digest(hex: hex) == digest)
        #expect(APIKeyChangeListener.digest(hex: hex.uppercased()) == digest)
        #expect(APIKeyChangeListener.digest(hex: "*") == nil)
        #expect(APIKeyChangeListener.digest(hex: String(hex.dropLast())) == nil)
        #expect(APIKeyChangeListener.digest(hex: String(hex.dropLast()) + "g") == nil)
    }

    @Test("gateway.auth.disabled is read from GATEWAY_AUTH_DISABLED and refused outside PLATFORM_ENV=local")
    func authDisabledRule() throws {
        let reader = ConfigReader(
            provider: EnvironmentVariablesProvider(environmentVariables: ["GATEWAY_AUTH_DISABLED": "true"]))
        let settings = GatewaySettings(config: reader)
        #expect(settings.auth.disabled)
        #expect(GatewaySettings().auth.disabled == false)
        for environment in [nil, "production", "staging", "LOCAL"] as [String?] {
            let error = try #require(throws: GatewayConfigurationError.self) {
                try settings.auth.check(platformEnvironment: environment)
            }
            #expect(error.description.contains("gateway.auth.disabled"))
            #expect(error.description.contains("PLATFORM_ENV=local"))
        }
        try settings.auth.check(platformEnvironment: "local")
        try GatewaySettings().auth.check(platformEnvironment: "production")
    }

    @Test("valid keys are trusted for the short unpushed TTL until changes are pushed, and again once the push is lost")
    func unpushedTTL() {
        var cache = APIKeyCache(policy: .init(ttl: .seconds(300), unpushedTTL: .seconds(15)))
        Self.lookUp(&cache, Self.digest(1), found: Self.alice)
        #expect(!cache.isPushed)
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(14)) == .valid(Self.alice))
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(16)) == .miss, "nothing pushed yet")

        cache.resynchronise()
        Self.lookUp(&cache, Self.digest(1), found: Self.alice)
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(200)) == .valid(Self.alice))

        cache.pushLost()
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(16)) == .miss, "the listener is away")
        #expect(
            cache.stalePrincipal(for: Self.digest(1), now: Self.start + .seconds(16)) == Self.alice,
            "still served if PostgreSQL cannot be asked")
        cache.resynchronise()
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(1)) == .miss, "a resync needs a lookup")
    }
}
