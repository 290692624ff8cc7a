import Testing

@testable import Routing

@Suite("Canary rollouts: steps, windows and breaches (injected clock)")
struct CanaryRolloutTests {
    static let policy = CanaryPolicy(
        stable: "1", canary: "2", steps: [10, 50, 100], windowMilliseconds: 1000, minimumRequests: 10,
        maximumErrorRate: 0.1, maximumP99Ratio: 2)

    /// Records `count` requests on `version` at `now`; returns the decisions made.
    static func record(
        _ rollout: inout CanaryRollout, version: String, count: Int, failing: Int = 0,
        latency: Duration = .milliseconds(10), at now: ContinuousClock.Instant
    ) -> [CanaryRollout.Decision] {
        (0..<count).compactMap { index in
            rollout.record(version: version, failed: index < failing, latency: latency, now: now)
        }
    }

    @Test("a canary holding the SLO steps up at each window's end and completes at 100%")
    func promotes() {
        let start = ContinuousClock.now
        var rollout = CanaryRollout(policy: Self.policy, now: start)
        #expect(rollout.canaryPercent == 10)
        #expect(Self.record(&rollout, version: "2", count: 10, at: start + .milliseconds(500)).isEmpty)
        let first = Self.record(&rollout, version: "2", count: 1, at: start + .seconds(1))
        #expect(first.map(\.action) == ["promote"])
        #expect(rollout.canaryPercent == 50)
        _ = Self.record(&rollout, version: "2", count: 10, at: start + .seconds(2))
        #expect(rollout.canaryPercent == 100)
        let last = Self.record(&rollout, version: "2", count: 10, at: start + .seconds(3))
        #expect(last.map(\.action) == ["complete"])
        #expect(rollout.phase == .promoted)
        #expect(rollout.targets().map(\.weight) == [0, 100])
    }

    @Test("a window with too few canary requests is extended, not judged")
    func extendsQuietWindows() {
        let start = ContinuousClock.now
        var rollout = CanaryRollout(policy: Self.policy, now: start)
        #expect(Self.record(&rollout, version: "2", count: 9, at: start + .seconds(5)).isEmpty)
        #expect(Self.record(&rollout, version: "1", count: 100, at: start + .seconds(5)).isEmpty)
        #expect(Self.record(&rollout, version: "2", count: 1, at: start + .seconds(6)).map(\.action) == ["promote"])
    }

    @Test("an error rate above the maximum rolls back as soon as the window has enough requests")
    func rollsBackOnErrors() {
        let start = ContinuousClock.now
        var rollout = CanaryRollout(policy: Self.policy, now: start)
        let decisions = Self.record(&rollout, version: "2", count: 10, failing: 2, at: start + .milliseconds(10))
        #expect(decisions.map(\.action) == ["rollback"])
        #expect(decisions.first?.reason.contains("20.0%") == true)
        #expect(rollout.phase == .rolledBack)
        #expect(rollout.targets().map(\.weight) == [100, 0])
        #expect(Self.record(&rollout, version: "2", count: 10, at: start + .seconds(9)).isEmpty)
    }

    @Test("a canary p99 above the ratio of the stable version's rolls back at the window's end")
    func rollsBackOnLatency() {
        let start = ContinuousClock.now
        var rollout = CanaryRollout(policy: Self.policy, now: start)
        _ = Self.record(&rollout, version: "1", count: 50, latency: .milliseconds(10), at: start)
        _ = Self.record(&rollout, version: "2", count: 10, latency: .milliseconds(30), at: start)
        let decisions = Self.record(
            &rollout, version: "2", count: 1, latency: .milliseconds(30), at: start + .seconds(1))
        #expect(decisions.map(\.action) == ["rollback"])
        #expect(decisions.first?.reason.contains("p99") == true)
    }

    @Test("policies are checked: steps increasing to 100, distinct versions, targets for both")
    func validation() {
        var bad = Self.policy
        bad.steps = [50, 10, 100]
        #expect(bad.problem != nil)
        bad = Self.policy
        bad.canary = "1"
        #expect(bad.problem != nil)
        #expect(Self.policy.problem == nil)
        let missing = ModelRoute(model: "m", targets: [RouteTarget(version: "1", weight: 1)], canary: Self.policy)
        #expect(throws: RouteValidationError.self) { try missing.validate() }
    }
}
