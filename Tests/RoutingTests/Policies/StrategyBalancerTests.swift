import Resilience
import Routing
import Testing

@Suite struct StrategyBalancerTests {
    let pool = [
        BackendCandidate(id: "a", weight: 3, outstanding: 7),
        BackendCandidate(id: "b", weight: 1, outstanding: 0),
    ]

    func picks(_ strategy: BalancingStrategy) -> [BackendID] {
        var balancer = StrategyBalancer(strategy: strategy)
        #expect(balancer.strategy == strategy)
        var rng = SeededGenerator(seed: 5)
        return (0..<8).map { _ in balancer.pick(from: pool, using: &rng)! }
    }

    @Test func appliesTheChosenStrategy() {
        #expect(picks(.roundRobin) == ["a", "b", "a", "b", "a", "b", "a", "b"])
        #expect(picks(.weighted) == ["a", "a", "b", "a", "a", "a", "b", "a"])
        #expect(picks(.leastOutstanding) == Array(repeating: "b", count: 8))
    }

    @Test func strategyNamesAreStableConfigurationValues() {
        #expect(BalancingStrategy(rawValue: "round_robin") == .roundRobin)
        #expect(BalancingStrategy(rawValue: "weighted") == .weighted)
        #expect(BalancingStrategy(rawValue: "least_outstanding") == .leastOutstanding)
    }
}
