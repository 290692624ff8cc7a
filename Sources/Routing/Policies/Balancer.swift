/// Picks one backend for a request among the eligible candidates.
///
/// The caller passes only backends that are healthy, not ejected and whose breaker admits calls.
/// Candidates with a weight of 0 are drained: no balancer picks them.
public protocol Balancer: Sendable {
    /// Picks a backend not in `excluding` (the ones a retry already tried); `nil` if none is left.
    mutating func pick(
        from candidates: [BackendCandidate],
        excluding: Set<BackendID>,
        using rng: inout some RandomNumberGenerator
    ) -> BackendID?
}

extension Balancer {
    /// Picks a backend among all `candidates`.
    public mutating func pick(
        from candidates: [BackendCandidate],
        using rng: inout some RandomNumberGenerator
    ) -> BackendID? {
        pick(from: candidates, excluding: [], using: &rng)
    }
}

extension Array where Element == BackendCandidate {
    /// The candidates a balancer may pick: positive weight, not excluded, first of any duplicate id.
    func eligible(excluding: Set<BackendID>) -> [BackendCandidate] {
        var seen = excluding
        return filter { $0.weight > 0 && seen.insert($0.id).inserted }
    }
}

/// How a model's traffic is spread over its backends.
public enum BalancingStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each backend in turn. The default.
    case roundRobin = "round_robin"
    /// In proportion to each backend's weight, smoothly interleaved.
    case weighted
    /// The less loaded of two random backends (power of two choices).
    case leastOutstanding = "least_outstanding"
    /// The backend with the fewest requests waiting for the model, counting what each Triton
    /// reports on its Prometheus endpoint (backends need a `metrics_url`).
    case leastQueue = "least_queue"
}

/// A balancer of any strategy, so a route can hold one value whatever its strategy.
public struct StrategyBalancer: Balancer {
    private enum Storage: Sendable {
        case roundRobin(RoundRobinBalancer)
        case weighted(WeightedBalancer)
        case leastOutstanding(LeastOutstandingBalancer)
        case leastQueue(LeastQueueBalancer)
    }

    private var storage: Storage

    /// Creates a fresh balancer for `strategy`.
    public init(strategy: BalancingStrategy) {
        switch strategy {
        case .roundRobin: storage = .roundRobin(RoundRobinBalancer())
        case .weighted: storage = .weighted(WeightedBalancer())
        case .leastOutstanding: storage = .leastOutstanding(LeastOutstandingBalancer())
        case .leastQueue: storage = .leastQueue(LeastQueueBalancer())
        }
    }

    /// The strategy this balancer applies.
    public var strategy: BalancingStrategy {
        switch storage {
        case .roundRobin: .roundRobin
        case .weighted: .weighted
        case .leastOutstanding: .leastOutstanding
        case .leastQueue: .leastQueue
        }
    }

    /// Picks with the configured strategy; see ``Balancer/pick(from:excluding:using:)``.
    public mutating func pick(
        from candidates: [BackendCandidate],
        excluding: Set<BackendID>,
        using rng: inout some RandomNumberGenerator
    ) -> BackendID? {
        switch storage {
        case .roundRobin(var balancer):
            defer { storage = .roundRobin(balancer) }
            return balancer.pick(from: candidates, excluding: excluding, using: &rng)
        case .weighted(var balancer):
            defer { storage = .weighted(balancer) }
            return balancer.pick(from: candidates, excluding: excluding, using: &rng)
        case .leastOutstanding(var balancer):
            defer { storage = .leastOutstanding(balancer) }
            return balancer.pick(from: candidates, excluding: excluding, using: &rng)
        case .leastQueue(var balancer):
            defer { storage = .leastQueue(balancer) }
            return balancer.pick(from: candidates, excluding: excluding, using: &rng)
        }
    }
}
