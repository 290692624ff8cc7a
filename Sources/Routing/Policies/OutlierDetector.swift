/// Passive health: ejects a backend after consecutive upstream failures, for a growing time.
///
/// Ejections end by themselves when their time runs out. A guard keeps the number of ejected
/// backends within ``OutlierDetectorConfiguration/maxEjected(backendCount:)``, so the pool is
/// never emptied by ejection: with one backend nothing is ejected, with two at most one.
/// Pure state; time is passed in.
public struct OutlierDetector: Sendable {
    /// One ejection, returned so the owner can log it and update metrics.
    public struct Ejection: Sendable, Hashable {
        /// The ejected backend.
        public let backend: BackendID
        /// When the backend comes back.
        public let until: ContinuousClock.Instant
        /// How long this ejection lasts.
        public let duration: Duration
        /// How many times the backend has been ejected, this one included (after decay).
        public let ejectionCount: Int
    }

    private struct Record: Sendable {
        var consecutiveFailures = 0
        var ejectionCount = 0
        var ejectedUntil: ContinuousClock.Instant?
    }

    /// The configuration this detector was created with.
    public let configuration: OutlierDetectorConfiguration
    /// Ejections refused because the ejection limit was reached (a counter for metrics).
    public private(set) var suppressedEjections = 0
    private var records: [BackendID: Record] = [:]

    /// Creates a detector watching `backends`.
    public init(configuration: OutlierDetectorConfiguration = .init(), backends: some Sequence<BackendID> = []) {
        self.configuration = configuration
        updateBackends(backends)
    }

    /// The backends being watched, sorted.
    public var backends: [BackendID] { records.keys.sorted() }

    /// Replaces the watched pool; kept backends keep their history, removed ones are forgotten.
    public mutating func updateBackends(_ backends: some Sequence<BackendID>) {
        var updated: [BackendID: Record] = [:]
        for backend in backends {
            updated[backend] = records[backend] ?? Record()
        }
        records = updated
    }

    /// Records a call's outcome; returns the ejection it caused, if any.
    ///
    /// `.success` resets the failure run, `.ignored` (client errors, overload) changes nothing,
    /// and outcomes for backends outside the pool are dropped.
    public mutating func record(backend: BackendID, outcome: CallOutcome, now: ContinuousClock.Instant)
        -> Ejection?
    {
        guard var record = records[backend] else { return nil }
        defer { records[backend] = record }
        switch outcome {
        case .ignored:
            return nil
        case .success:
            record.consecutiveFailures = 0
            return nil
        case .failure:
            if let until = record.ejectedUntil, until > now { return nil }
            record.consecutiveFailures += 1
            let threshold = configuration.consecutiveFailures
            guard threshold > 0, record.consecutiveFailures >= threshold else { return nil }
            guard ejectedCount(now: now) < configuration.maxEjected(backendCount: records.count) else {
                suppressedEjections += 1
                return nil
            }
            let count = decayedEjectionCount(record, now: now) + 1
            let duration = configuration.ejectionDuration(count: count)
            record.ejectionCount = count
            record.ejectedUntil = now + duration
            record.consecutiveFailures = 0
            return Ejection(backend: backend, until: now + duration, duration: duration, ejectionCount: count)
        }
    }

    /// Whether `backend` is ejected at `now`.
    public func isEjected(_ backend: BackendID, now: ContinuousClock.Instant) -> Bool {
        guard let until = records[backend]?.ejectedUntil else { return false }
        return until > now
    }

    /// When an ejected backend comes back; `nil` if it is not ejected at `now`.
    public func ejectedUntil(_ backend: BackendID, now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let until = records[backend]?.ejectedUntil, until > now else { return nil }
        return until
    }

    /// The backends ejected at `now`, sorted.
    public func ejectedBackends(now: ContinuousClock.Instant) -> [BackendID] {
        records.compactMap { backend, record in
            guard let until = record.ejectedUntil, until > now else { return nil }
            return backend
        }.sorted()
    }

    private func ejectedCount(now: ContinuousClock.Instant) -> Int {
        records.values.reduce(0) { count, record in
            guard let until = record.ejectedUntil, until > now else { return count }
            return count + 1
        }
    }

    /// Past ejections, less one for each full decay interval spent un-ejected since the last one.
    private func decayedEjectionCount(_ record: Record, now: ContinuousClock.Instant) -> Int {
        guard let lastEnd = record.ejectedUntil, configuration.ejectionCountDecay > .zero, now > lastEnd else {
            return record.ejectionCount
        }
        let intervals = Int(min((now - lastEnd) / configuration.ejectionCountDecay, 1e9).rounded(.down))
        return max(record.ejectionCount - intervals, 0)
    }
}
