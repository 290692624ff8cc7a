import Resilience
/// Counts that expire: a ring of time buckets covering the last `length` of time.
///
/// A value added at instant `t` is part of the sum until the bucket holding `t` falls out of the
/// window, that is for between `length - bucketWidth` and `length`. Time is passed in.
struct SlidingWindow<Value: AdditiveArithmetic & Sendable>: Sendable {
    /// The span of time the window covers.
    let length: Duration
    /// The span of one bucket: `length / bucketCount`.
    let bucketWidth: Duration
    private var buckets: [Value]
    private var epochs: [Int64]
    private var origin: ContinuousClock.Instant?

    /// Creates an empty window of `length` split into `bucketCount` buckets (at least 1).
    init(length: Duration, bucketCount: Int) {
        let count = max(bucketCount, 1)
        self.length = length
        self.bucketWidth = length / count
        self.buckets = Array(repeating: .zero, count: count)
        self.epochs = Array(repeating: -1, count: count)
    }

    /// Adds `value` to the bucket of `now`.
    mutating func add(_ value: Value, now: ContinuousClock.Instant) {
        if origin == nil { origin = now }
        let epoch = self.epoch(of: now)
        let slot = Int(epoch % Int64(buckets.count))
        if epochs[slot] != epoch {
            epochs[slot] = epoch
            buckets[slot] = value
        } else {
            buckets[slot] += value
        }
    }

    /// The sum of every value still inside the window at `now`.
    func sum(now: ContinuousClock.Instant) -> Value {
        guard origin != nil else { return .zero }
        let current = epoch(of: now)
        let count = Int64(buckets.count)
        var total = Value.zero
        for slot in buckets.indices {
            let age = current - epochs[slot]
            if epochs[slot] >= 0 && age >= 0 && age < count {
                total += buckets[slot]
            }
        }
        return total
    }

    /// Forgets every value.
    mutating func reset() {
        for slot in buckets.indices {
            buckets[slot] = .zero
            epochs[slot] = -1
        }
    }

    private func epoch(of instant: ContinuousClock.Instant) -> Int64 {
        let width = bucketWidth.clampedNanoseconds
        guard let origin, instant > origin, width > 0 else { return 0 }
        return (instant - origin).clampedNanoseconds / width
    }
}
