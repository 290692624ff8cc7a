import Foundation
import PlatformStore
import Testing

@testable import Gateway

/// The API-key cache's pure logic, on an injected clock.
@Suite("API-key cache")
struct APIKeyCacheTests {
    static let start = ContinuousClock.now
    static let alice = APIKeyPrincipal(id: UUID(), principal: "alice", scopes: ["infer"], rateLimit: nil)

    static func digest(_ index: Int) -> [UInt8] { SHA256Digest.hash("key-\(index)") }

    @Test("a valid key is served for the TTL, then asked again")
    func positiveTTL() {
        var cache = APIKeyCache(policy: .init(ttl: .seconds(15), negativeTTL: .seconds(5)))
        #expect(cache.answer(for: Self.digest(1), now: Self.start) == .miss)
        cache.record(Self.alice, for: Self.digest(1), now: Self.start)
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(14)) == .valid(Self.alice))
        #expect(cache.answer(for: Self.digest(1), now: Self.start + .seconds(15)) == .miss)
    }

    @Test("an unknown key is refused for the negative TTL, then asked again")
    func negativeTTL() {
        var cache = APIKeyCache(policy: .init(ttl: .seconds(15), negativeTTL: .seconds(5)))
        cache.record(nil, for: Self.digest(2), now: Self.start)
        #expect(cache.answer(for: Self.digest(2), now: Self.start + .seconds(4)) == .invalid)
        #expect(cache.answer(for: Self.digest(2), now: Self.start + .seconds(5)) == .miss)
        #expect(cache.counts.invalid == 0)
    }

    @Test("a key found revoked loses its positive entry at once; a key found valid loses its negative one")
    func revocationReplacesEntry() {
        var cache = APIKeyCache(policy: .init())
        cache.record(Self.alice, for: Self.digest(3), now: Self.start)
        cache.record(nil, for: Self.digest(3), now: Self.start + .seconds(1))
        #expect(cache.answer(for: Self.digest(3), now: Self.start + .seconds(1)) == .invalid)
        #expect(cache.stalePrincipal(for: Self.digest(3), now: Self.start + .seconds(1)) == nil)
        cache.record(Self.alice, for: Self.digest(3), now: Self.start + .seconds(2))
        #expect(cache.answer(for: Self.digest(3), now: Self.start + .seconds(2)) == .valid(Self.alice))
    }

    @Test("while the store cannot answer, a key valid within TTL + stale-if-error keeps working, not longer")
    func staleIfError() {
        var cache = APIKeyCache(policy: .init(ttl: .seconds(15), staleIfError: .seconds(60)))
        cache.record(Self.alice, for: Self.digest(4), now: Self.start)
        #expect(cache.answer(for: Self.digest(4), now: Self.start + .seconds(30)) == .miss)
        #expect(cache.stalePrincipal(for: Self.digest(4), now: Self.start + .seconds(74)) == Self.alice)
        #expect(cache.stalePrincipal(for: Self.digest(4), now: Self.start + .seconds(75)) == nil)
        #expect(cache.stalePrincipal(for: Self.digest(5), now: Self.start) == nil)
    }

    @Test("a flood of random keys stays within the negative capacity and never evicts a valid key")
    func floodIsBounded() {
        var cache = APIKeyCache(policy: .init(capacity: 100, negativeCapacity: 1000))
        cache.record(Self.alice, for: Self.digest(-1), now: Self.start)
        for index in 0..<100_000 {
            let digest = Self.digest(index)
            #expect(cache.answer(for: digest, now: Self.start) == .miss)
            cache.record(nil, for: digest, now: Self.start)
            #expect(cache.counts.invalid <= 1000)
        }
        #expect(cache.counts.valid == 1)
        #expect(cache.answer(for: Self.digest(-1), now: Self.start) == .valid(Self.alice))
    }

    @Test("the bounded map keeps what was used recently and never holds more than its capacity")
    func boundedCacheKeepsRecent() {
        var map = BoundedCache<Int, Int>(capacity: 10)
        map.insert(0, for: 0)
        for key in 1..<1000 {
            map.insert(key, for: key)
            #expect(map.value(for: 0) == 0, "key 0 is read after every insert, so it survives")
            #expect(map.count <= 10)
        }
        #expect(map.value(for: 1) == nil)
        #expect(map.value(for: 999) == 999)
        map.removeValue(for: 999)
        #expect(map.value(for: 999) == nil)
    }
}
