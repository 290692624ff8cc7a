/// Smooth weighted round-robin (the nginx algorithm): shares follow weights, picks interleave.
///
/// Each pick adds every candidate's weight to its running score, picks the highest score
/// (ties go to the lower backend name) and subtracts the total weight from the winner. Over a
/// cycle of `sum(weights)` picks each backend gets exactly its weight, spread out rather than
/// in a run (weights 5/1/1 give `a a b a c a a`). Deterministic; no randomness is used.
public struct WeightedBalancer: Balancer {
    private var scores: [BackendID: Int] = [:]

    /// Creates a balancer with every score at zero.
    public init() {}

    /// Returns the eligible backend with the highest running score; `rng` is not used.
    public mutating func pick(
        from candidates: [BackendCandidate],
        excluding: Set<BackendID>,
        using rng: inout some RandomNumberGenerator
    ) -> BackendID? {
        let eligible = candidates.eligible(excluding: excluding)
        // Forget backends that left the pool; excluded ones keep their score for later.
        let present = Set(candidates.map(\.id))
        if scores.keys.contains(where: { !present.contains($0) }) {
            scores = scores.filter { present.contains($0.key) }
        }
        guard !eligible.isEmpty else { return nil }
        var total = 0
        var best: (id: BackendID, score: Int)?
        for candidate in eligible {
            let score = scores[candidate.id, default: 0] + candidate.weight
            scores[candidate.id] = score
            total += candidate.weight
            if let current = best, score < current.score || (score == current.score && candidate.id > current.id) {
                continue
            }
            best = (candidate.id, score)
        }
        guard let best else { return nil }
        scores[best.id] = best.score - total
        return best.id
    }
}
