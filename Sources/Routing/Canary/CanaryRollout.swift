/// One model's rollout under a ``CanaryPolicy``: the step it is at and what the current window
/// has seen of each version. Pure: time comes in from outside.
public struct CanaryRollout: Sendable {
    /// Where the rollout stands.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Watching a step.
        case progressing
        /// The canary serves 100%: done.
        case promoted
        /// A breach put the canary at 0%: done until the route is set again.
        case rolledBack = "rolled_back"
    }

    /// A change of step, for the log, the metrics and the audit trail.
    public struct Decision: Sendable, Hashable {
        /// `promote` (to the next step), `complete` (to 100%) or `rollback` (to 0%).
        public var action: String
        /// The canary's percentage from now on.
        public var canaryPercent: Int
        /// Why, with the window's numbers.
        public var reason: String
    }

    private struct Window: Sendable {
        var requests = 0
        var failures = 0
        var latencies: [Duration] = []

        mutating func record(failed: Bool, latency: Duration) {
            requests += 1
            if failed { failures += 1 }
            if latencies.count < 4096 { latencies.append(latency) }
        }

        var p99: Duration? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            return sorted[min(Int((0.99 * Double(sorted.count)).rounded(.up)) - 1, sorted.count - 1)]
        }
    }

    /// The policy being applied.
    public let policy: CanaryPolicy
    /// The current phase.
    public private(set) var phase: Phase = .progressing
    /// The index in ``CanaryPolicy/steps`` of the current step.
    public private(set) var step = 0
    private var windowStart: ContinuousClock.Instant
    private var stable = Window()
    private var canary = Window()

    /// Starts at the first step at `now`.
    public init(policy: CanaryPolicy, now: ContinuousClock.Instant) {
        self.policy = policy
        windowStart = now
    }

    /// The canary's percentage of traffic now.
    public var canaryPercent: Int {
        switch phase {
        case .progressing: policy.steps[step]
        case .promoted: 100
        case .rolledBack: 0
        }
    }

    /// Records one request's outcome on `version` and returns a decision when one is due: a
    /// rollback as soon as the window holds enough canary requests to show a breach of the
    /// error rate, a promotion (or rollback on latency) when the window ends with enough.
    public mutating func record(
        version: String?, failed: Bool, latency: Duration, now: ContinuousClock.Instant
    ) -> Decision? {
        guard phase == .progressing else { return nil }
        if version == policy.canary {
            canary.record(failed: failed, latency: latency)
        } else if version == policy.stable {
            stable.record(failed: failed, latency: latency)
        }
        guard canary.requests >= policy.minimumRequests else { return nil }
        let errorRate = Double(canary.failures) / Double(canary.requests)
        if errorRate > policy.maximumErrorRate {
            return rollback(
                "canary error rate \(percent(errorRate)) over \(canary.requests) requests "
                    + "exceeds \(percent(policy.maximumErrorRate))")
        }
        guard windowStart.duration(to: now) >= .milliseconds(policy.windowMilliseconds) else { return nil }
        if let ratio = policy.maximumP99Ratio, let canaryP99 = canary.p99, let stableP99 = stable.p99,
            canaryP99 > stableP99 * ratio
        {
            return rollback("canary p99 \(canaryP99) exceeds \(ratio) × the stable version's \(stableP99)")
        }
        let reason =
            "canary held the SLO over \(canary.requests) requests: error rate \(percent(errorRate))"
            + (canary.p99.map { ", p99 \($0)" } ?? "")
        windowStart = now
        stable = Window()
        canary = Window()
        if step + 1 < policy.steps.count {
            step += 1
            return Decision(action: "promote", canaryPercent: policy.steps[step], reason: reason)
        }
        phase = .promoted
        return Decision(action: "complete", canaryPercent: 100, reason: reason)
    }

    /// The route's targets for the current percentage: the stable and canary versions, weighted.
    public func targets(backends: (stable: [BackendID]?, canary: [BackendID]?) = (nil, nil)) -> [RouteTarget] {
        [
            RouteTarget(version: policy.stable, weight: 100 - canaryPercent, backends: backends.stable),
            RouteTarget(version: policy.canary, weight: canaryPercent, backends: backends.canary),
        ]
    }

    private mutating func rollback(_ reason: String) -> Decision {
        phase = .rolledBack
        return Decision(action: "rollback", canaryPercent: 0, reason: reason)
    }

    private func percent(_ rate: Double) -> String {
        "\((rate * 1000).rounded() / 10)%"
    }
}
