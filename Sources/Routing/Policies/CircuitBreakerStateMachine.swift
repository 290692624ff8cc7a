/// A circuit breaker for one backend: closed → open → half-open → closed, as a pure state machine.
///
/// The owner keeps it behind a lock, asks ``tryAcquire(now:)`` before each call, and reports the
/// call's end with ``record(_:for:now:)`` using the permit it was given. Time is passed in; the
/// machine never reads a clock. Returned transitions are for logs and metrics.
public struct CircuitBreakerStateMachine: Sendable {
    /// The breaker's externally visible state (also a metrics label).
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Calls flow; failures are counted.
        case closed
        /// Calls are rejected until the open time ends.
        case open
        /// A few probe calls test whether the backend recovered.
        case halfOpen = "half_open"
    }

    /// The configuration this breaker was created with.
    public let configuration: CircuitBreakerConfiguration
    /// The current state; an open breaker whose time ended turns half-open on the next call.
    public private(set) var state: State = .closed
    /// When an open breaker may turn half-open; `nil` unless open.
    public private(set) var openUntil: ContinuousClock.Instant?
    /// Failures in a row while closed.
    public private(set) var consecutiveFailures = 0
    /// Trips since the breaker last closed; drives the growing open time.
    public private(set) var consecutiveTrips = 0

    private var window: SlidingWindow<OutcomeCounts>
    private var generation: UInt64 = 0
    private var nextProbeSequence: UInt64 = 0
    private var probesInFlight: [UInt64: ContinuousClock.Instant] = [:]
    private var probeSuccesses = 0

    /// Creates a closed breaker.
    public init(configuration: CircuitBreakerConfiguration = .init()) {
        self.configuration = configuration
        self.window = SlidingWindow(length: configuration.window, bucketCount: configuration.windowBuckets)
    }

    /// Probe calls currently in flight while half-open.
    public var probesOutstanding: Int { probesInFlight.count }

    /// The failure ratio over the window at `now`, or `nil` before any counted call.
    public func failureRatio(now: ContinuousClock.Instant) -> Double? {
        let counts = window.sum(now: now)
        let total = counts.successes + counts.failures
        return total == 0 ? nil : Double(counts.failures) / Double(total)
    }

    /// Turns an open breaker half-open once its open time has ended; otherwise does nothing.
    ///
    /// ``tryAcquire(now:)`` does this itself; call it first only to observe the transition.
    public mutating func advance(now: ContinuousClock.Instant) -> Transition? {
        guard state == .open, let openUntil, now >= openUntil else { return nil }
        state = .halfOpen
        self.openUntil = nil
        generation &+= 1
        probesInFlight.removeAll()
        probeSuccesses = 0
        return Transition(from: .open, to: .halfOpen, reason: .openTimeElapsed, openDuration: nil)
    }

    /// Asks to send one call; a probe or allowed permit must later be passed to ``record(_:for:now:)``.
    public mutating func tryAcquire(now: ContinuousClock.Instant) -> Permit {
        _ = advance(now: now)
        switch state {
        case .closed:
            return .allowed
        case .open:
            let until = openUntil ?? now
            return .rejected(retryAfter: max(until - now, .zero))
        case .halfOpen:
            let expiry = now - configuration.probeTimeout
            probesInFlight = probesInFlight.filter { $0.value > expiry }
            guard probesInFlight.count < max(configuration.halfOpenMaxProbes, 1) else {
                return .rejected(retryAfter: configuration.halfOpenRetryAfter)
            }
            let sequence = nextProbeSequence
            nextProbeSequence &+= 1
            probesInFlight[sequence] = now
            return .allowedAsProbe(ProbeTicket(generation: generation, sequence: sequence))
        }
    }

    /// Records how a call made under `permit` ended; returns the state change it caused, if any.
    ///
    /// `.ignored` never counts; for a probe it only frees the probe slot. Results of calls admitted
    /// before the breaker last changed state are stale and change nothing.
    public mutating func record(_ outcome: CallOutcome, for permit: Permit, now: ContinuousClock.Instant)
        -> Transition?
    {
        switch permit {
        case .rejected:
            return nil
        case .allowed:
            guard state == .closed else { return nil }
            return recordClosed(outcome, now: now)
        case .allowedAsProbe(let ticket):
            guard state == .halfOpen, ticket.generation == generation,
                probesInFlight.removeValue(forKey: ticket.sequence) != nil
            else { return nil }
            return recordProbe(outcome, now: now)
        }
    }

    private mutating func recordClosed(_ outcome: CallOutcome, now: ContinuousClock.Instant) -> Transition? {
        switch outcome {
        case .ignored:
            return nil
        case .success:
            consecutiveFailures = 0
            window.add(OutcomeCounts(successes: 1, failures: 0), now: now)
            return nil
        case .failure:
            consecutiveFailures += 1
            window.add(OutcomeCounts(successes: 0, failures: 1), now: now)
            let threshold = configuration.consecutiveFailureThreshold
            if threshold > 0 && consecutiveFailures >= threshold {
                return trip(reason: .consecutiveFailures, now: now)
            }
            let counts = window.sum(now: now)
            let total = counts.successes + counts.failures
            if total >= max(configuration.minimumRequestsInWindow, 1)
                && Double(counts.failures) >= configuration.failureRatioThreshold * Double(total)
            {
                return trip(reason: .failureRatio, now: now)
            }
            return nil
        }
    }

    private mutating func recordProbe(_ outcome: CallOutcome, now: ContinuousClock.Instant) -> Transition? {
        switch outcome {
        case .ignored:
            return nil
        case .failure:
            return trip(reason: .probeFailed, now: now)
        case .success:
            probeSuccesses += 1
            guard probeSuccesses >= configuration.halfOpenSuccessesToClose else { return nil }
            state = .closed
            consecutiveTrips = 0
            resetCounters()
            return Transition(from: .halfOpen, to: .closed, reason: .probesSucceeded, openDuration: nil)
        }
    }

    private mutating func trip(reason: Transition.Reason, now: ContinuousClock.Instant) -> Transition {
        let previous = state
        consecutiveTrips += 1
        let duration = configuration.openDuration(forTrip: consecutiveTrips)
        state = .open
        openUntil = now + duration
        resetCounters()
        return Transition(from: previous, to: .open, reason: reason, openDuration: duration)
    }

    private mutating func resetCounters() {
        consecutiveFailures = 0
        window.reset()
        probesInFlight.removeAll()
        probeSuccesses = 0
    }
}

/// Successes and failures counted in the breaker's window.
struct OutcomeCounts: AdditiveArithmetic, Sendable {
    var successes: Int
    var failures: Int

    static let zero = OutcomeCounts(successes: 0, failures: 0)

    static func + (lhs: OutcomeCounts, rhs: OutcomeCounts) -> OutcomeCounts {
        OutcomeCounts(successes: lhs.successes + rhs.successes, failures: lhs.failures + rhs.failures)
    }

    static func - (lhs: OutcomeCounts, rhs: OutcomeCounts) -> OutcomeCounts {
        OutcomeCounts(successes: lhs.successes - rhs.successes, failures: lhs.failures - rhs.failures)
    }
}
