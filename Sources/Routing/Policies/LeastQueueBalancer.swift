/// The backend with the shortest queue: fewest requests waiting on it, counting both this
/// router's requests in flight and what the backend itself reports pending for the model (from
/// every client), per unit of weight; on equal counts the shorter recent queue time wins, then
/// each backend in turn.
public struct LeastQueueBalancer: Balancer {
    private var next = 0

    /// Creates a balancer.
    public init() {}

    /// Picks the least queued eligible backend.
    public mutating func pick(
        from candidates: [BackendCandidate],
        excluding: Set<BackendID>,
        using rng: inout some RandomNumberGenerator
    ) -> BackendID? {
        let eligible = candidates.eligible(excluding: excluding)
        guard !eligible.isEmpty else { return nil }
        let start = next % eligible.count
        next &+= 1
        var best = eligible[start]
        for offset in 1..<eligible.count {
            let candidate = eligible[(start + offset) % eligible.count]
            if Self.isShorter(candidate, than: best) { best = candidate }
        }
        return best.id
    }

    /// Whether `a`'s queue is shorter than `b`'s: waiting requests per weight, then queue time.
    static func isShorter(_ a: BackendCandidate, than b: BackendCandidate) -> Bool {
        let left = (a.outstanding + a.queued) * b.weight
        let right = (b.outstanding + b.queued) * a.weight
        return left != right ? left < right : a.queueTime < b.queueTime
    }
}
