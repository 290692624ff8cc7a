/// What the router knows of each backend's queues, per model, from the samples of its Prometheus
/// endpoint: the pending requests of the latest sample and the average queue time between the
/// last two. A backend's entries older than `staleAfter` are not used (unknown, as 0).
public struct BackendQueues: Sendable {
    /// One model's queue on one backend, as a balancer sees it.
    public struct Load: Sendable, Hashable {
        /// Requests pending on the backend (from every client, not only this router).
        public var pending: Int
        /// The mean time a request queued between the last two samples; zero when none ran.
        public var queueTime: Duration
    }

    private struct Entry: Sendable {
        var sample: TritonQueueSample
        var load: Load
        var at: ContinuousClock.Instant
    }

    /// How old a backend's latest sample may be and still count.
    public var staleAfter: Duration
    private var entries: [BackendID: [String: Entry]] = [:]

    /// Creates an empty record.
    public init(staleAfter: Duration) {
        self.staleAfter = staleAfter
    }

    /// Records `backend`'s samples read at `now`.
    public mutating func record(backend: BackendID, samples: [String: TritonQueueSample], now: ContinuousClock.Instant)
    {
        let previous = entries[backend] ?? [:]
        var next: [String: Entry] = [:]
        for (model, sample) in samples {
            var queueTime = Duration.zero
            if let before = previous[model]?.sample, sample.requests > before.requests {
                let micros =
                    max(sample.queueMicroseconds - before.queueMicroseconds, 0) / (sample.requests - before.requests)
                queueTime = .microseconds(Int64(min(micros, 3.6e9)))
            }
            next[model] = Entry(sample: sample, load: Load(pending: sample.pending, queueTime: queueTime), at: now)
        }
        entries[backend] = next
    }

    /// `model`'s load on `backend` at `now`; nil when unknown or stale.
    public func load(of model: String, on backend: BackendID, now: ContinuousClock.Instant) -> Load? {
        guard let entry = entries[backend]?[model], entry.at.duration(to: now) <= staleAfter else { return nil }
        return entry.load
    }
}
