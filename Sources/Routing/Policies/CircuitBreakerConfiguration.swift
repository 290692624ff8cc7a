import Resilience
/// When a backend's circuit breaker opens, how long it stays open, and how it probes recovery.
///
/// Only `CallOutcome.failure` counts against a backend; `.ignored` outcomes are invisible here.
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    /// Consecutive failures that open the breaker at once. `0` disables this trigger. Default 5.
    public var consecutiveFailureThreshold: Int
    /// Failure ratio (0...1) over `window` that opens the breaker; above 1 disables it. Default 0.5.
    public var failureRatioThreshold: Double
    /// Calls (successes + failures) needed in `window` before the ratio is judged. Default 20.
    public var minimumRequestsInWindow: Int
    /// The sliding window over which the failure ratio is measured. Default 10 s.
    public var window: Duration
    /// Buckets the window is split into; outcomes expire one bucket at a time. Default 10.
    public var windowBuckets: Int
    /// How long the breaker stays open after its first trip. Default 5 s.
    public var openDuration: Duration
    /// Factor applied to the open time on each repeated trip (1 keeps it fixed). Default 2.
    ///
    /// Trips are "repeated" until the breaker closes again; closing resets the open time.
    public var openDurationMultiplier: Double
    /// The longest the breaker ever stays open. Default 60 s.
    public var maxOpenDuration: Duration
    /// Probe calls allowed in flight at once while half-open. Default 1.
    public var halfOpenMaxProbes: Int
    /// Successful probes needed to close the breaker. Default 2.
    public var halfOpenSuccessesToClose: Int
    /// A probe with no recorded result after this long frees its slot. Default 30 s.
    ///
    /// Guards against a breaker stuck half-open when an owner loses a permit.
    public var probeTimeout: Duration
    /// The `retryAfter` given while half-open and every probe slot is taken. Default 1 s.
    public var halfOpenRetryAfter: Duration

    /// Creates a configuration; every parameter has the documented default.
    public init(
        consecutiveFailureThreshold: Int = 5,
        failureRatioThreshold: Double = 0.5,
        minimumRequestsInWindow: Int = 20,
        window: Duration = .seconds(10),
        windowBuckets: Int = 10,
        openDuration: Duration = .seconds(5),
        openDurationMultiplier: Double = 2,
        maxOpenDuration: Duration = .seconds(60),
        halfOpenMaxProbes: Int = 1,
        halfOpenSuccessesToClose: Int = 2,
        probeTimeout: Duration = .seconds(30),
        halfOpenRetryAfter: Duration = .seconds(1)
    ) {
        self.consecutiveFailureThreshold = consecutiveFailureThreshold
        self.failureRatioThreshold = failureRatioThreshold
        self.minimumRequestsInWindow = minimumRequestsInWindow
        self.window = window
        self.windowBuckets = windowBuckets
        self.openDuration = openDuration
        self.openDurationMultiplier = openDurationMultiplier
        self.maxOpenDuration = maxOpenDuration
        self.halfOpenMaxProbes = halfOpenMaxProbes
        self.halfOpenSuccessesToClose = halfOpenSuccessesToClose
        self.probeTimeout = probeTimeout
        self.halfOpenRetryAfter = halfOpenRetryAfter
    }

    /// The open time for the `trip`-th consecutive trip (1-based), grown and capped.
    public func openDuration(forTrip trip: Int) -> Duration {
        var duration = openDuration
        var remaining = max(trip - 1, 0)
        while remaining > 0 && openDurationMultiplier > 1 && duration < maxOpenDuration {
            duration = duration.scaled(by: openDurationMultiplier)
            remaining -= 1
        }
        return min(duration, maxOpenDuration)
    }
}
