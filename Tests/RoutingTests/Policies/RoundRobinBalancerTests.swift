import Resilience
import Routing
import Testing

@Suite struct RoundRobinBalancerTests {
    let pool: [BackendCandidate] = ["a", "b", "c"].map { BackendCandidate(id: BackendID($0)) }

    func counts(_ picks: [BackendID?]) -> [BackendID: Int] {
        picks.reduce(into: [:]) { counts, id in
            if let id { counts[id, default: 0] += 1 }
        }
    }

    @Test func rotatesInNameOrderWhateverTheInputOrder() {
        var balancer = RoundRobinBalancer()
        var rng = SeededGenerator(seed: 1)
        let shuffled = [pool[2], pool[0], pool[1]]
        let picks = (0..<6).map { _ in balancer.pick(from: shuffled, using: &rng) }
        #expect(picks == ["a", "b", "c", "a", "b", "c"])
    }

    @Test func spreadsExactlyEvenly() {
        var balancer = RoundRobinBalancer()
        var rng = SeededGenerator(seed: 1)
        let picks = (0..<3_000).map { _ in balancer.pick(from: pool, using: &rng) }
        #expect(counts(picks) == ["a": 1_000, "b": 1_000, "c": 1_000])
    }

    @Test func staysEvenWhenABackendLeavesAndReturns() {
        var balancer = RoundRobinBalancer()
        var rng = SeededGenerator(seed: 1)
        let picks = (0..<4).map { _ in balancer.pick(from: pool, using: &rng) }
        #expect(picks == ["a", "b", "c", "a"])
        // "b" is ejected: the turn passes to "c" and the rotation continues over a, c.
        let withoutB = pool.filter { $0.id != "b" }
        let during = (0..<4).map { _ in balancer.pick(from: withoutB, using: &rng) }
        #expect(during == ["c", "a", "c", "a"])
        // "b" returns and takes its place right after "a".
        let after = (0..<300).map { _ in balancer.pick(from: pool, using: &rng) }
        #expect(Array(after.prefix(3)) == ["b", "c", "a"])
        #expect(counts(after) == ["a": 100, "b": 100, "c": 100])
    }

    @Test func retryPicksABackendNotYetTried() {
        var balancer = RoundRobinBalancer()
        var rng = SeededGenerator(seed: 1)
        let first = balancer.pick(from: pool, using: &rng)
        let second = balancer.pick(from: pool, excluding: [first!], using: &rng)
        let third = balancer.pick(from: pool, excluding: [first!, second!], using: &rng)
        #expect(Set([first, second, third]) == Set(["a", "b", "c"]))
        #expect(balancer.pick(from: pool, excluding: ["a", "b", "c"], using: &rng) == nil)
    }

    @Test func drainedAndAbsentBackendsAreNeverPicked() {
        var balancer = RoundRobinBalancer()
        var rng = SeededGenerator(seed: 1)
        var drained = pool
        drained[1].weight = 0
        let picks = (0..<100).map { _ in balancer.pick(from: drained, using: &rng) }
        #expect(counts(picks) == ["a": 50, "c": 50])
        #expect(balancer.pick(from: [], using: &rng) == nil)
    }
}
