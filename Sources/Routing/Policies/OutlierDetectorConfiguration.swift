/// How passive health checking ejects backends that keep failing real traffic.
public struct OutlierDetectorConfiguration: Sendable, Hashable {
    /// Upstream failures in a row (connect error, timeout, 5xx) that eject a backend. Default 5.
    public var consecutiveFailures: Int
    /// Ejection time per ejection: the n-th ejection lasts `baseEjection × n`. Default 30 s.
    public var baseEjection: Duration
    /// The longest one ejection lasts. Default 300 s.
    public var maxEjection: Duration
    /// Most backends, in percent of the pool, that may be ejected at once. Default 50.
    ///
    /// Whatever the percentage, at least one backend always stays in: the limit is
    /// `min(count − 1, max(1, ⌊count × percent / 100⌋))`, and `0` disables ejection.
    public var maxEjectionPercent: Int
    /// Each full interval a backend spends un-ejected forgets one past ejection. Default 60 s.
    public var ejectionCountDecay: Duration

    /// Creates a configuration; every parameter has the documented default.
    public init(
        consecutiveFailures: Int = 5,
        baseEjection: Duration = .seconds(30),
        maxEjection: Duration = .seconds(300),
        maxEjectionPercent: Int = 50,
        ejectionCountDecay: Duration = .seconds(60)
    ) {
        self.consecutiveFailures = consecutiveFailures
        self.baseEjection = baseEjection
        self.maxEjection = maxEjection
        self.maxEjectionPercent = maxEjectionPercent
        self.ejectionCountDecay = ejectionCountDecay
    }

    /// How many of `backendCount` backends may be ejected at the same time (never all of them).
    public func maxEjected(backendCount: Int) -> Int {
        guard backendCount > 1, maxEjectionPercent > 0 else { return 0 }
        let byPercent = backendCount * min(maxEjectionPercent, 100) / 100
        return min(backendCount - 1, max(1, byPercent))
    }

    /// How long the `count`-th ejection (1-based) lasts.
    public func ejectionDuration(count: Int) -> Duration {
        let factor = max(count, 1)
        if baseEjection > .zero && maxEjection / baseEjection <= Double(factor) { return maxEjection }
        return min(baseEjection * factor, maxEjection)
    }
}
