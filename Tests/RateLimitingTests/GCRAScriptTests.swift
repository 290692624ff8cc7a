import Foundation
import RedisClient
import TestSupport
import Testing

@testable import RateLimiting

/// The Lua script on the real Redis against the Swift GCRA, step by step.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct GCRAScriptTests {
    @Test(arguments: [1 as UInt64, 2, 3])
    func scriptMatchesTheSwiftModelOnARandomSequence(seed: UInt64) async throws {
        var random = SplitMix64Source(seed: seed)
        let principal = RateLimitTestServer.principal("script")
        let keys = [
            RateLimitKeys().principalKey(principal), RateLimitKeys().modelKey(principal: principal, model: "m"),
        ]
        // Emission intervals of at least 6 min keep every key's real expiry far beyond the test's
        // run time, however slow the machine: Redis expires keys on its own clock, not the override.
        let limits = [
            GCRA.Limit(RateLimitPolicy(limit: 10, period: .seconds(3600))),
            GCRA.Limit(RateLimitPolicy(limit: 4, period: .seconds(3600), burst: 2)),
        ]
        try await withRedisClient(configuration: RateLimitTestServer.configuration()) { client in
            var stored: [Int64?] = [nil, nil]
            var now: Int64 = 1_700_000_000_000_000
            var admitted = 0
            for step in 0..<300 {
                now += Int64(random.next(upTo: 540_000_000))
                let cost = random.next(upTo: 10) == 0 ? 2 : 1
                let keyCount = step % 3 == 0 ? 1 : 2
                let model = GCRA.evaluate(
                    arrivalTimes: Array(stored.prefix(keyCount)), limits: Array(limits.prefix(keyCount)), cost: cost,
                    now: now)
                let reply = try await client.evaluate(
                    GCRAScript.script, keys: Array(keys.prefix(keyCount)),
                    arguments: GCRAScript.arguments(
                        limits: Array(limits.prefix(keyCount)), cost: cost, nowOverride: now))
                let decision = try GCRAScript.decision(from: reply)
                #expect(decision == model.decision, "step \(step) at \(now)")
                if let newTimes = model.newArrivalTimes {
                    admitted += 1
                    for index in newTimes.indices {
                        stored[index] = newTimes[index]
                        let value = try await client.execute(["GET", keys[index]]).intValue
                        #expect(value == newTimes[index])
                        let ttl = try await client.execute(["PTTL", keys[index]]).intValue ?? -1
                        let expiry = GCRA.expiryMilliseconds(newArrivalTime: newTimes[index], now: now)
                        #expect(ttl > 0 && ttl <= expiry)
                    }
                }
            }
            #expect(admitted > 50 && admitted < 300)
            _ = try await client.execute(["DEL"] + keys)
        }
    }

    @Test func scriptUsesRedisTimeWhenNoClockIsGiven() async throws {
        let principal = RateLimitTestServer.principal("time")
        let key = RateLimitKeys().principalKey(principal)
        // A 100 s emission interval: the key's expiry outlives any delay between the calls below.
        let limit = GCRA.Limit(RateLimitPolicy(limit: 100, period: .seconds(10_000)))
        try await withRedisClient(configuration: RateLimitTestServer.configuration()) { client in
            let before = try await Self.redisTime(client)
            let reply = try await client.evaluate(
                GCRAScript.script, keys: [key], arguments: GCRAScript.arguments(limits: [limit], cost: 1))
            let after = try await Self.redisTime(client)
            let decision = try GCRAScript.decision(from: reply)
            #expect(
                decision
                    == RateLimitDecision(
                        allowed: true, limit: 100, remaining: 99, resetAfter: .seconds(100), retryAfter: .zero))
            // The stored TAT is Redis's `TIME` during the call plus one interval.
            let stored = try #require(try await client.execute(["GET", key]).intValue)
            #expect(stored >= before + 100_000_000 && stored <= after + 100_000_000)
            let ttl = try await client.execute(["PTTL", key]).intValue ?? -1
            #expect(ttl > 90_000 && ttl <= 100_000, "PTTL \(ttl) ms")
            _ = try await client.execute(["DEL", key])
        }
    }

    private static func redisTime(_ client: RedisClient) async throws -> Int64 {
        let parts = try await client.execute(["TIME"]).arrayValue?.compactMap(\.intValue) ?? []
        try #require(parts.count == 2)
        return parts[0] * 1_000_000 + parts[1]
    }
}

/// Seeded randomness for reproducible sequences.
struct SplitMix64Source {
    private var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    mutating func next(upTo bound: Int) -> Int { Int.random(in: 0..<bound, using: &generator) }
}
