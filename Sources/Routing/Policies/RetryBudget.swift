import Resilience
/// Limits retries to a share of live traffic, so retries cannot multiply an outage's load.
///
/// Over a sliding window, a retry is allowed while
/// `retries < ratio × requests + minRetriesPerSecond × window seconds` (Finagle/Envoy style).
/// Count each client request once with ``recordRequest(now:)``, not each attempt. Time is passed in.
public struct RetryBudget: Sendable {
    /// The configuration this budget was created with.
    public let configuration: RetryBudgetConfiguration
    private var window: SlidingWindow<RetryCounts>

    /// Creates an empty budget: only the floor is available at first.
    public init(configuration: RetryBudgetConfiguration = .init()) {
        self.configuration = configuration
        self.window = SlidingWindow(length: configuration.window, bucketCount: configuration.windowBuckets)
    }

    /// Counts one client request (a deposit into the budget).
    public mutating func recordRequest(now: ContinuousClock.Instant) {
        window.add(RetryCounts(requests: 1, retries: 0), now: now)
    }

    /// Takes one retry from the budget; `false` means "do not retry", and nothing is taken.
    public mutating func tryAcquireRetry(now: ContinuousClock.Instant) -> Bool {
        guard availableRetries(now: now) > 0 else { return false }
        window.add(RetryCounts(requests: 0, retries: 1), now: now)
        return true
    }

    /// Retries that would be allowed at `now` (for metrics and the admin view).
    public func availableRetries(now: ContinuousClock.Instant) -> Int {
        let counts = window.sum(now: now)
        let floor = max(configuration.minRetriesPerSecond, 0) * configuration.window.secondsValue
        let allowance = max(configuration.ratio, 0) * Double(counts.requests) + floor
        return max(Int(allowance.rounded(.down)) - counts.retries, 0)
    }

    /// Requests and retries in the window at `now`.
    public func counts(now: ContinuousClock.Instant) -> (requests: Int, retries: Int) {
        let counts = window.sum(now: now)
        return (counts.requests, counts.retries)
    }
}

/// The size of the retry budget.
public struct RetryBudgetConfiguration: Sendable, Hashable {
    /// Retries allowed per client request in the window. Default 0.2 (20 %).
    public var ratio: Double
    /// Retries per second always allowed, so a quiet router can still retry. Default 3.
    public var minRetriesPerSecond: Double
    /// The sliding window requests and retries are counted over. Default 10 s.
    public var window: Duration
    /// Buckets the window is split into; counts expire one bucket at a time. Default 10.
    public var windowBuckets: Int

    /// Creates a configuration; every parameter has the documented default.
    public init(
        ratio: Double = 0.2,
        minRetriesPerSecond: Double = 3,
        window: Duration = .seconds(10),
        windowBuckets: Int = 10
    ) {
        self.ratio = ratio
        self.minRetriesPerSecond = minRetriesPerSecond
        self.window = window
        self.windowBuckets = windowBuckets
    }
}

/// Requests and retries counted in the budget's window.
struct RetryCounts: AdditiveArithmetic, Sendable {
    var requests: Int
    var retries: Int

    static let zero = RetryCounts(requests: 0, retries: 0)

    static func + (lhs: RetryCounts, rhs: RetryCounts) -> RetryCounts {
        RetryCounts(requests: lhs.requests + rhs.requests, retries: lhs.retries + rhs.retries)
    }

    static func - (lhs: RetryCounts, rhs: RetryCounts) -> RetryCounts {
        RetryCounts(requests: lhs.requests - rhs.requests, retries: lhs.retries - rhs.retries)
    }
}
