/// The latencies of a model's most recent successful attempts (a ring of `capacity`), for the
/// hedging delay. Percentiles are recomputed every 16 recordings, not on every read.
public struct LatencyWindow: Sendable {
    /// Recordings needed before a percentile is given.
    public static let minimumSamples = 20
    private var samples: [Duration] = []
    private var next = 0
    private let capacity: Int
    private var sorted: [Duration] = []
    private var sinceSort = 0

    /// Creates an empty window of `capacity` latencies.
    public init(capacity: Int = 256) {
        self.capacity = max(capacity, Self.minimumSamples)
        samples.reserveCapacity(self.capacity)
    }

    /// Records one latency.
    public mutating func record(_ latency: Duration) {
        if samples.count < capacity {
            samples.append(latency)
        } else {
            samples[next] = latency
        }
        next = (next + 1) % capacity
        sinceSort += 1
        if sinceSort >= 16 || samples.count == Self.minimumSamples {
            sorted = samples.sorted()
            sinceSort = 0
        }
    }

    /// The latency below which `fraction` of the window lies (nearest rank); nil before
    /// ``minimumSamples`` recordings.
    public func percentile(_ fraction: Double) -> Duration? {
        guard sorted.count >= Self.minimumSamples else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
