/// Sends each request to the next backend in turn, in the order of backend names.
///
/// The rotation remembers the last backend it picked, not a position, so when a backend
/// leaves the eligible set the turn passes to the next one, and when it returns it takes its
/// place again: nobody is skipped or served twice in a row because the set changed.
/// Weights are ignored except that a weight of 0 drains a backend. No randomness is used.
public struct RoundRobinBalancer: Balancer {
    /// The backend picked last, if any.
    public private(set) var last: BackendID?

    /// Creates a balancer that starts with the first backend by name.
    public init() {}

    /// Returns the first eligible backend named after the last one picked, wrapping around.
    public mutating func pick(
        from candidates: [BackendCandidate],
        excluding: Set<BackendID>,
        using rng: inout some RandomNumberGenerator
    ) -> BackendID? {
        var lowest: BackendID?
        var next: BackendID?
        for candidate in candidates where candidate.weight > 0 && !excluding.contains(candidate.id) {
            let id = candidate.id
            if lowest.map({ id < $0 }) ?? true { lowest = id }
            if let last, id > last, next.map({ id < $0 }) ?? true { next = id }
        }
        let picked = next ?? lowest
        if picked != nil { last = picked }
        return picked
    }
}
