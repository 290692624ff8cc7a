extension RoutingState {
    /// Matches the rollouts to the routes just put in force: a route with a canary policy keeps
    /// its rollout while it is declared unchanged and starts a new one otherwise; its two
    /// targets then get the rollout's weights. Rollouts of routes without a policy end.
    mutating func syncRollouts(now: ContinuousClock.Instant) throws {
        var next: [String: (rollout: CanaryRollout, declared: ModelRoute)] = [:]
        for route in routes.routes {
            guard let policy = route.canary else { continue }
            if let kept = rollouts[route.model], kept.declared == route {
                next[route.model] = kept
            } else {
                next[route.model] = (CanaryRollout(policy: policy, now: now), route)
            }
        }
        rollouts = next
        for entry in next.values { try applyWeights(of: entry.rollout, to: entry.declared) }
    }

    /// Whether `model` has a rollout still deciding (its requests' outcomes are wanted).
    public func hasActiveRollout(model: String) -> Bool {
        rollouts[model]?.rollout.phase == .progressing
    }

    /// Records one request's outcome for `model`'s rollout; returns the decision it led to, whose
    /// weights are already in force.
    public mutating func recordCanaryOutcome(
        model: String, version: String?, failed: Bool, latency: Duration, now: ContinuousClock.Instant
    ) -> CanaryRollout.Decision? {
        guard var entry = rollouts[model] else { return nil }
        let decision = entry.rollout.record(version: version, failed: failed, latency: latency, now: now)
        rollouts[model] = entry
        if decision != nil { try? applyWeights(of: entry.rollout, to: entry.declared) }
        return decision
    }

    /// Every rollout's phase and canary percentage, by model (the admin view).
    public func rolloutStatuses() -> [String: RolloutStatus] {
        rollouts.mapValues {
            RolloutStatus(
                stable: $0.rollout.policy.stable, canary: $0.rollout.policy.canary, phase: $0.rollout.phase,
                canaryPercent: $0.rollout.canaryPercent)
        }
    }

    private mutating func applyWeights(of rollout: CanaryRollout, to declared: ModelRoute) throws {
        let policy = rollout.policy
        var route = declared
        route.targets =
            rollout.targets(
                backends: (
                    declared.target(version: policy.stable)?.backends, declared.target(version: policy.canary)?.backends
                ))
            + declared.targets.filter { $0.version != policy.stable && $0.version != policy.canary }
        _ = try routes.upsert(route)
    }
}

/// A rollout as the admin API shows it.
public struct RolloutStatus: Sendable, Hashable, Encodable {
    /// The version traffic comes from.
    public var stable: String
    /// The version rolled out.
    public var canary: String
    /// Where it stands.
    public var phase: CanaryRollout.Phase
    /// The canary's percentage of traffic now.
    public var canaryPercent: Int

    private enum CodingKeys: String, CodingKey {
        case stable, canary, phase
        case canaryPercent = "canary_percent"
    }
}
