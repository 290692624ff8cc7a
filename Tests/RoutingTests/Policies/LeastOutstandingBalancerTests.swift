import Resilience
import Routing
import Testing

@Suite struct LeastOutstandingBalancerTests {
    @Test func neverPicksTheMostLoadedBackend() {
        var balancer = LeastOutstandingBalancer()
        var rng = SeededGenerator(seed: 3)
        let pool = [
            BackendCandidate(id: "a", outstanding: 2),
            BackendCandidate(id: "b", outstanding: 40),
            BackendCandidate(id: "c", outstanding: 3),
        ]
        var counts: [BackendID: Int] = [:]
        for _ in 0..<10_000 {
            counts[balancer.pick(from: pool, using: &rng)!, default: 0] += 1
        }
        #expect(counts["b"] == nil)
        // "a" wins every draw it is in (2 of 3 pairs), "c" only the draw against "b".
        #expect((6_400...6_933).contains(counts["a", default: 0]))
    }

    @Test func withTwoBackendsAlwaysTakesTheLessLoaded() {
        var balancer = LeastOutstandingBalancer()
        var rng = SeededGenerator(seed: 3)
        let pool = [BackendCandidate(id: "a", outstanding: 5), BackendCandidate(id: "b", outstanding: 4)]
        for _ in 0..<100 {
            #expect(balancer.pick(from: pool, using: &rng) == "b")
        }
    }

    @Test func loadIsMeasuredRelativeToWeight() {
        var balancer = LeastOutstandingBalancer()
        var rng = SeededGenerator(seed: 3)
        // 3 in flight on weight 2 (1.5 each) is lighter than 2 on weight 1.
        let pool = [
            BackendCandidate(id: "big", weight: 2, outstanding: 3),
            BackendCandidate(id: "small", weight: 1, outstanding: 2),
        ]
        for _ in 0..<100 {
            #expect(balancer.pick(from: pool, using: &rng) == "big")
        }
    }

    @Test func idlePoolIsSpreadEvenly() {
        var balancer = LeastOutstandingBalancer()
        var rng = SeededGenerator(seed: 9)
        let pool = (0..<4).map { BackendCandidate(id: BackendID("t\($0)")) }
        var counts: [BackendID: Int] = [:]
        for _ in 0..<40_000 {
            counts[balancer.pick(from: pool, using: &rng)!, default: 0] += 1
        }
        for candidate in pool {
            #expect((9_500...10_500).contains(counts[candidate.id, default: 0]))
        }
    }

    @Test func sameSeedGivesTheSamePicks() {
        let pool = (0..<5).map { BackendCandidate(id: BackendID("t\($0)"), outstanding: $0 % 2) }
        func run() -> [BackendID?] {
            var balancer = LeastOutstandingBalancer()
            var rng = SeededGenerator(seed: 11)
            return (0..<50).map { _ in balancer.pick(from: pool, using: &rng) }
        }
        #expect(run() == run())
    }

    @Test func retryAvoidsTriedBackends() {
        var balancer = LeastOutstandingBalancer()
        var rng = SeededGenerator(seed: 3)
        let pool = [BackendCandidate(id: "a"), BackendCandidate(id: "b", outstanding: 9)]
        #expect(balancer.pick(from: pool, excluding: ["a"], using: &rng) == "b")
        #expect(balancer.pick(from: pool, excluding: ["a", "b"], using: &rng) == nil)
    }
}
