import InferenceProtocol

extension ModelRouter {
    /// Sends a copy of `request` as `policy` says, after the primary answered, off the client's
    /// path; dropped when the policy's `max_concurrent` shadow calls are in flight. Counts the
    /// outcome, the latency beside the primary's, and whether the answers agree.
    func mirror(
        _ request: UpstreamRequest, model: String, policy: ShadowPolicy, primary: UpstreamResponse,
        primaryLatency: Duration
    ) {
        let admitted = shadowStats.withLock { all -> Bool in
            var stats = all[model, default: ShadowStats()]
            defer { all[model] = stats }
            guard stats.inFlight < policy.maxConcurrent else {
                stats.dropped += 1
                return false
            }
            stats.inFlight += 1
            stats.sent += 1
            return true
        }
        metrics.shadow(model: model, outcome: admitted ? "sent" : "dropped")
        guard admitted else { return }
        var copy = policy.version.map { request.forVersion($0) } ?? request
        // The shadow call is not bound by the client's deadline: the client is answered already.
        copy.deadline = nil
        Task.detached { [self] in
            let start = ContinuousClock.now
            let lease = withState { $0.acquire(model: model, target: policy.target, excluding: [], now: .now) }
            var agreement: Bool?
            var answered = false
            if let lease, case .answered(let response, _) = await call(lease, request: copy) {
                answered = true
                agreement =
                    primary.status == 200 && response.status == 200
                    ? ShadowComparison.agrees(primary, response) : nil
            }
            let latency = start.duration(to: .now)
            shadowStats.withLock { all in
                var stats = all[model, default: ShadowStats()]
                stats.inFlight -= 1
                if answered { stats.answered += 1 } else { stats.failed += 1 }
                if agreement == true { stats.agreed += 1 }
                if agreement == false { stats.disagreed += 1 }
                all[model] = stats
            }
            metrics.shadowResult(
                model: model, answered: answered, agreement: agreement, latency: latency, primaryLatency: primaryLatency
            )
        }
    }

    /// What `model`'s shadow calls did so far.
    public func shadowStatistics(model: String) -> ShadowStats {
        shadowStats.withLock { $0[model] ?? ShadowStats() }
    }
}
