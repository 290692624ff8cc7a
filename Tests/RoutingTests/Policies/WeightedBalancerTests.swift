import Resilience
import Routing
import Testing

@Suite struct WeightedBalancerTests {
    func candidates(_ weights: [(String, Int)]) -> [BackendCandidate] {
        weights.map { BackendCandidate(id: BackendID($0.0), weight: $0.1) }
    }

    @Test func interleavesSmoothlyLikeNginx() {
        var balancer = WeightedBalancer()
        var rng = SeededGenerator(seed: 1)
        let pool = candidates([("a", 5), ("b", 1), ("c", 1)])
        let cycle = (0..<7).map { _ in balancer.pick(from: pool, using: &rng)! }
        #expect(cycle == ["a", "a", "b", "a", "c", "a", "a"])
        // The next cycle repeats exactly.
        let next = (0..<7).map { _ in balancer.pick(from: pool, using: &rng)! }
        #expect(next == cycle)
    }

    @Test func everyCycleMatchesTheWeightsExactly() {
        var balancer = WeightedBalancer()
        var rng = SeededGenerator(seed: 1)
        let pool = candidates([("a", 3), ("b", 2), ("c", 1)])
        for _ in 0..<100 {
            let cycle = (0..<6).map { _ in balancer.pick(from: pool, using: &rng)! }
            #expect(cycle.filter { $0 == "a" }.count == 3)
            #expect(cycle.filter { $0 == "b" }.count == 2)
            #expect(cycle.filter { $0 == "c" }.count == 1)
            // Smooth: the heaviest backend never gets more than two in a row.
            #expect(!zip(cycle, zip(cycle.dropFirst(), cycle.dropFirst(2))).contains { $0 == $1.0 && $1.0 == $1.1 })
        }
    }

    @Test func zeroWeightDrainsAndExcludedIsSkipped() {
        var balancer = WeightedBalancer()
        var rng = SeededGenerator(seed: 1)
        let pool = candidates([("a", 2), ("b", 0), ("c", 1)])
        let picks = (0..<300).map { _ in balancer.pick(from: pool, using: &rng)! }
        #expect(picks.filter { $0 == "a" }.count == 200)
        #expect(!picks.contains("b"))
        #expect(balancer.pick(from: pool, excluding: ["a"], using: &rng) == "c")
        #expect(balancer.pick(from: pool, excluding: ["a", "c"], using: &rng) == nil)
    }

    @Test func followsNewWeightsAfterAChange() {
        var balancer = WeightedBalancer()
        var rng = SeededGenerator(seed: 1)
        _ = (0..<5).map { _ in balancer.pick(from: candidates([("a", 1), ("b", 1)]), using: &rng) }
        let pool = candidates([("a", 1), ("b", 3)])
        let picks = (0..<400).map { _ in balancer.pick(from: pool, using: &rng)! }
        #expect((99...101).contains(picks.filter { $0 == "a" }.count))
    }
}
