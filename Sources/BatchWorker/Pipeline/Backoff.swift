/// Exponential backoff for retrying a dependency that is down: `initial`, doubling, capped.
///
/// `jitter` (0…1) removes up to that fraction of each delay, drawn from the caller's generator,
/// so many retrying tasks do not wake together.
public struct Backoff: Sendable, Hashable {
    /// The first delay. Default 100 ms.
    public var initial: Duration
    /// The largest delay. Default 5 s.
    public var maximum: Duration
    /// The fraction of a delay that may be removed at random. Default 0.2.
    public var jitter: Double

    /// Creates a policy; every argument has the documented default.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay after failed attempt `attempt` (1-based).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let doublings = min(max(attempt - 1, 0), 20)
        let full = min(initial * (1 << doublings), maximum)
        guard jitter > 0 else { return full }
        return full * (1 - Double.random(in: 0...jitter, using: &generator))
    }
}
