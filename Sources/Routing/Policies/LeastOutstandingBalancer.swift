/// Power of two random choices: draws two distinct backends and takes the less loaded one.
///
/// Load is outstanding requests divided by weight, so a backend of weight 2 is "as busy" as a
/// backend of weight 1 with half its requests. On equal load the first drawn backend wins: the
/// tie-break is fixed by the generator's sequence (reproducible with a seeded generator) and
/// does not favour any name, so an idle pool is still spread evenly.
public struct LeastOutstandingBalancer: Balancer {
    /// Creates a balancer; it keeps no state between picks.
    public init() {}

    /// Draws two eligible backends with `rng` and returns the less loaded one.
    public mutating func pick(
        from candidates: [BackendCandidate],
        excluding: Set<BackendID>,
        using rng: inout some RandomNumberGenerator
    ) -> BackendID? {
        let eligible = candidates.eligible(excluding: excluding)
        switch eligible.count {
        case 0:
            return nil
        case 1:
            return eligible[0].id
        default:
            let first = Int.random(in: 0..<eligible.count, using: &rng)
            var second = Int.random(in: 0..<(eligible.count - 1), using: &rng)
            if second >= first { second += 1 }
            let a = eligible[first]
            let b = eligible[second]
            // a.outstanding / a.weight <= b.outstanding / b.weight, without division.
            return a.outstanding * b.weight <= b.outstanding * a.weight ? a.id : b.id
        }
    }
}
