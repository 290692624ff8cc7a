import Foundation

/// The wall clock and the randomness the worker uses, injected so tests can fix them: `now`
/// stamps records (dead letters), `random` draws the retry jitter.
///
/// Intervals (lingers, latencies, deadlines) are measured on `ContinuousClock`; the pure parts
/// that decide with them (``BatchGrouper``, ``AttemptBudget``, `Backoff`) take instants and
/// generators as arguments and are tested with fixed ones.
public struct WorkerEnvironment: Sendable {
    /// The current date.
    public var now: @Sendable () -> Date
    /// 64 random bits.
    public var random: @Sendable () -> UInt64

    /// The real clock and the system's generator.
    public static let system = WorkerEnvironment(now: { Date() }, random: { UInt64.random(in: .min ... .max) })

    /// Creates an environment.
    public init(now: @escaping @Sendable () -> Date, random: @escaping @Sendable () -> UInt64) {
        self.now = now
        self.random = random
    }

    /// A generator drawing from ``random``.
    var generator: DrawnGenerator { DrawnGenerator(draw: random) }
}

/// A `RandomNumberGenerator` over an injected source of random bits.
struct DrawnGenerator: RandomNumberGenerator {
    let draw: @Sendable () -> UInt64

    mutating func next() -> UInt64 { draw() }
}
