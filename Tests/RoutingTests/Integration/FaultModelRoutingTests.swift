import Foundation
import InferenceProtocol
import Synchronization
import TestSupport
import Testing

@testable import Routing

/// Load-aware routing and hedging over the stack's two Tritons, one of them slowed by the
/// fault-injection model's control file (one test at a time: they share that file). Every load
/// is bounded in requests and concurrency. The requests go to `faulty`'s default version, 2; the
/// stock clients' deadline checks, which run beside these, hold an instance of version 1.
@Suite(
    "Routing under injected faults: least_queue and hedging (faulty model, real Tritons)", .serialized,
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct FaultModelRoutingTests {
    /// Sets the faults of the Triton reading `file`.
    static func setFaults(_ file: String, latencyMilliseconds: Int, slowRate: Double = 1) throws {
        try Data(#"{"latency_ms": \#(latencyMilliseconds), "slow_rate": \#(slowRate), "error_rate": 0}"#.utf8)
            .write(to: URL(fileURLWithPath: file), options: .atomic)
    }

    /// Writes `faults` (control-file JSON) for both Tritons; returns their control files.
    static func setFaultsOnBoth(_ faults: String) throws -> [String] {
        let environment = StackEnvironment.current
        let files = [try environment.require("TRITON_A_FAULTS_FILE"), try environment.require("TRITON_B_FAULTS_FILE")]
        for file in files {
            try Data(faults.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        return files
    }

    /// The stack's Tritons with their Prometheus endpoints, and triton-a's fault control file.
    static func backends() throws -> (backends: [BackendDescriptor], slowFile: String) {
        let environment = StackEnvironment.current
        var backends = try RouterFixture.stackBackends()
        backends[0].metricsURL = try environment.require("TRITON_A_METRICS_URL")
        backends[1].metricsURL = try environment.require("TRITON_B_METRICS_URL")
        return (backends, try environment.require("TRITON_A_FAULTS_FILE"))
    }

    /// The backends that served `requests` requests from each of `workers` concurrent senders,
    /// in the order the answers came.
    static func load(_ router: ModelRouter, workers: Int, requests: Int) async throws -> [String] {
        let order = Answers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    for _ in 0..<requests {
                        let answer = try await router.forward(
                            inferRequest(model: "faulty", deadline: .now + .seconds(10)))
                        #expect(answer.status == 200)
                        order.append(answer.header("x-routed-backend") ?? "?")
                    }
                }
            }
            try await group.waitForAll()
        }
        return order.backends
    }

    /// The share of the answers after the first `skipping` fraction that `backend` served.
    static func share(of backend: String, in served: [String], skipping: Double) -> Double {
        let window = served.dropFirst(Int(Double(served.count) * skipping))
        guard !window.isEmpty else { return 0 }
        return Double(window.filter { $0 == backend }.count) / Double(window.count)
    }

    /// The backends of the answers, in the order they came, from any task.
    final class Answers: Sendable {
        private let value = Mutex<[String]>([])
        var backends: [String] { value.withLock { $0 } }
        func append(_ backend: String) { value.withLock { $0.append(backend) } }
    }

    /// A flag one task sets and others poll.
    final class Flag: Sendable {
        private let value = Mutex(false)
        var isSet: Bool { value.withLock { $0 } }
        func set() { value.withLock { $0 = true } }
    }

    @Test("with one Triton slowed, at least 80% of requests go to the other; they come back when it recovers")
    func shiftsAndReturns() async throws {
        let (backends, slowFile) = try Self.backends()
        var configuration = RouterConfiguration(randomSeed: 7)
        configuration.queueInterval = .milliseconds(500)
        let route = ModelRoute(model: "faulty", targets: [RouteTarget(weight: 1)], strategy: .leastQueue)
        try await RouterFixture.with(backends: backends, routes: [route], configuration: configuration) { fixture in
            let monitor = QueueMonitor(router: fixture.router)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await monitor.run() }
                defer { group.cancelAll() }
                do {
                    try Self.setFaults(slowFile, latencyMilliseconds: 250)
                    let slowed = try await Self.load(fixture.router, workers: 6, requests: 80)
                    let moved = Self.share(of: "triton-b", in: slowed, skipping: 0.25)
                    try Self.setFaults(slowFile, latencyMilliseconds: 0)
                    // Drained, and a whole interval without queueing: the slow phase's queue time,
                    // which breaks ties between equal queues, no longer counts against triton-a.
                    try await eventually("the monitor has read triton-a's queue drained and its queue time gone") {
                        let load = fixture.router.withState { $0.queueLoad(of: "faulty", on: "triton-a", now: .now) }
                        return load.map { $0.pending == 0 && $0.queueTime < .milliseconds(1) } ?? false
                    }
                    let recovered = try await Self.load(fixture.router, workers: 6, requests: 80)
                    let back = Self.share(of: "triton-a", in: recovered, skipping: 0.5)
                    print(
                        "least_queue: triton-a slowed by 250 ms: \(Int(moved * 100))% of the last 360 of 480 "
                            + "requests to triton-b; recovered: \(Int(back * 100))% of the last 240 to triton-a")
                    #expect(moved >= 0.8)
                    #expect(back >= 0.25)
                } catch {
                    try? Self.setFaults(slowFile, latencyMilliseconds: 0)
                    throw error
                }
            }
        }
    }

    @Test(
        "a Triton queued by other clients is avoided by least_queue, which sees its queue, and not by least_outstanding"
    )
    func seesOtherClients() async throws {
        let (backends, slowFile) = try Self.backends()
        var configuration = RouterConfiguration(randomSeed: 7)
        configuration.queueInterval = .milliseconds(500)
        var shares: [BalancingStrategy: Double] = [:]
        for strategy in [BalancingStrategy.leastQueue, .leastOutstanding] {
            let route = ModelRoute(model: "faulty", targets: [RouteTarget(weight: 1)], strategy: strategy)
            try await RouterFixture.with(backends: backends, routes: [route], configuration: configuration) { fixture in
                guard let direct = fixture.router.client(for: "triton-a") else {
                    throw StackNotConfigured(variable: "TRITON_URLS")
                }
                try Self.setFaults(slowFile, latencyMilliseconds: 20)
                defer { try? Self.setFaults(slowFile, latencyMilliseconds: 0) }
                let monitor = QueueMonitor(router: fixture.router)
                let done = Flag()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await monitor.run() }
                    // Another client keeps six requests queued on triton-a, past this router, until
                    // the measured load is done (at most 1,000 requests each).
                    for _ in 0..<6 {
                        group.addTask {
                            for _ in 0..<1000 where !done.isSet {
                                _ = try await direct.forward(
                                    inferRequest(model: "faulty", deadline: .now + .seconds(10)))
                            }
                        }
                    }
                    defer { group.cancelAll() }
                    try await eventually("triton-a reports the other client's queue") {
                        let load = fixture.router.withState {
                            $0.queueLoad(of: "faulty", on: "triton-a", now: .now)
                        }
                        return (load?.pending ?? 0) >= 3
                    }
                    // One request at a time: this router's own in-flight count is 0 at every pick.
                    let served = try await Self.load(fixture.router, workers: 1, requests: 60)
                    done.set()
                    shares[strategy] = Self.share(of: "triton-b", in: served, skipping: 0)
                }
            }
        }
        print(
            "least_queue vs least_outstanding with triton-a queued by another client: "
                + "\(Int((shares[.leastQueue] ?? 0) * 100))% vs \(Int((shares[.leastOutstanding] ?? 0) * 100))% "
                + "of 60 sequential requests to triton-b")
        #expect((shares[.leastQueue] ?? 0) >= 0.8)
        #expect((shares[.leastOutstanding] ?? 1) < 0.8)
    }

    /// The latencies of `count` sequential requests, sorted.
    static func latencies(_ router: ModelRouter, count: Int) async throws -> [Duration] {
        var latencies: [Duration] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let answer = try await router.forward(inferRequest(model: "faulty", deadline: .now + .seconds(10)))
            #expect(answer.status == 200)
            latencies.append(start.duration(to: .now))
        }
        return latencies.sorted()
    }

    /// Counts the requests that waited for a slow answer (≥ 1 s, far above what a loaded machine
    /// adds to a fast one), so load cannot decide the outcome. triton-a is slow on 10% of its
    /// ~200 requests: about 20 slow without hedging. The latency window fills while nothing is
    /// slow, so the hedge delay is a fast request's p95 whatever the luck of the first samples.
    ///
    /// Triton keeps running an attempt the router abandoned, so under round robin triton-a's two
    /// instances fill with abandoned slow requests, hedges outrun the retry budget and some
    /// requests wait in its queue; least_queue sees that queue and sends them to triton-b.
    @Test("with one Triton slow on some requests, hedging after the route's p95 spares most requests the wait")
    func hedgingCutsTheTail() async throws {
        let (backends, slowFile) = try Self.backends()
        defer { try? Self.setFaults(slowFile, latencyMilliseconds: 0) }
        var configuration = RouterConfiguration(randomSeed: 7)
        configuration.queueInterval = .milliseconds(100)
        let modes: [(name: String, strategy: BalancingStrategy, hedge: HedgePolicy?)] = [
            ("round_robin", .roundRobin, nil), ("round_robin + hedge", .roundRobin, HedgePolicy(percentile: 0.95)),
            ("least_queue + hedge", .leastQueue, HedgePolicy(percentile: 0.95)),
        ]
        var slow: [String: Int] = [:]
        for mode in modes {
            let route = ModelRoute(
                model: "faulty", targets: [RouteTarget(weight: 1)], strategy: mode.strategy, hedge: mode.hedge)
            try await RouterFixture.with(backends: backends, routes: [route], configuration: configuration) {
                fixture in
                let monitor = QueueMonitor(router: fixture.router)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await monitor.run() }
                    defer { group.cancelAll() }
                    // The route's latency window fills first (hedging needs 20 recent successes).
                    try Self.setFaults(slowFile, latencyMilliseconds: 0)
                    _ = try await Self.latencies(fixture.router, count: 40)
                    try Self.setFaults(slowFile, latencyMilliseconds: 1000, slowRate: 0.1)
                    let measured = try await Self.latencies(fixture.router, count: 400)
                    slow[mode.name] = measured.count { $0 >= .seconds(1) }
                    // Triton's abandoned slow requests end before the next mode starts.
                    try Self.setFaults(slowFile, latencyMilliseconds: 0)
                    try await eventually("triton-a has no queue left", within: .seconds(60)) {
                        fixture.router.withState { $0.queueLoad(of: "faulty", on: "triton-a", now: .now) }?.pending == 0
                    }
                }
            }
        }
        let without = slow["round_robin"] ?? 0
        let hedged = slow["round_robin + hedge"] ?? 0
        let leastQueue = slow["least_queue + hedge"] ?? 0
        print(
            "hedging: of 400 sequential requests, triton-a slow (1 s) on 10% of its requests, waited ≥ 1 s: "
                + "\(without) with round_robin, \(hedged) with round_robin + hedge, \(leastQueue) with least_queue + hedge"
        )
        #expect(without >= 5, "triton-a's slow answers should show without hedging")
        #expect(hedged * 2 < without)
        #expect(leastQueue * 4 < without)
    }

    /// Sends `faulty` requests from `workers` senders until `done` holds (checked after each
    /// answer) or `limit` requests in all; returns how many were sent.
    static func load(
        _ router: ModelRouter, workers: Int, limit: Int, until done: @escaping @Sendable () -> Bool
    ) async throws -> Int {
        let sent = Answers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while !done(), sent.backends.count < limit {
                        _ = try await router.forward(inferRequest(model: "faulty", deadline: .now + .seconds(10)))
                        sent.append("")
                    }
                }
            }
            try await group.waitForAll()
        }
        return sent.backends.count
    }

    static func canaryRoute(_ policy: CanaryPolicy) -> ModelRoute {
        ModelRoute(
            model: "faulty", targets: [RouteTarget(version: "1", weight: 100), RouteTarget(version: "2", weight: 0)],
            canary: policy)
    }

    @Test("a canary version that fails 20% of its requests is rolled back at its first step, before the window ends")
    func failingCanaryRollsBack() async throws {
        let (backends, _) = try Self.backends()
        let files = try Self.setFaultsOnBoth(#"{"versions": {"2": {"error_rate": 0.2}}}"#)
        defer { for file in files { try? Self.setFaults(file, latencyMilliseconds: 0) } }
        let policy = CanaryPolicy(
            stable: "1", canary: "2", steps: [20, 50, 100], windowMilliseconds: 10_000, minimumRequests: 40,
            maximumErrorRate: 0.05, maximumP99Ratio: nil)
        try await RouterFixture.with(backends: backends, routes: [Self.canaryRoute(policy)]) { fixture in
            let start = ContinuousClock.now
            let sent = try await Self.load(fixture.router, workers: 4, limit: 5000) {
                fixture.router.rolloutStatuses()["faulty"]?.phase != .progressing
            }
            let elapsed = start.duration(to: .now)
            let status = fixture.router.rolloutStatuses()["faulty"]
            print("canary: a version failing 20% was rolled back after \(elapsed) and \(sent) requests (window 10 s)")
            #expect(status?.phase == .rolledBack)
            #expect(status?.canaryPercent == 0)
            #expect(fixture.router.routes().first?.targets.map(\.weight) == [100, 0])
        }
    }

    @Test("a healthy canary steps up to 100% window by window")
    func healthyCanaryPromotes() async throws {
        let (backends, _) = try Self.backends()
        let policy = CanaryPolicy(
            stable: "1", canary: "2", steps: [20, 50, 100], windowMilliseconds: 300, minimumRequests: 20,
            maximumErrorRate: 0.05, maximumP99Ratio: nil)
        try await RouterFixture.with(backends: backends, routes: [Self.canaryRoute(policy)]) { fixture in
            let start = ContinuousClock.now
            let sent = try await Self.load(fixture.router, workers: 4, limit: 50_000) {
                fixture.router.rolloutStatuses()["faulty"]?.phase != .progressing
            }
            let status = fixture.router.rolloutStatuses()["faulty"]
            print(
                "canary: a healthy version reached 100% after \(start.duration(to: .now)) and \(sent) requests (3 steps of 300 ms)"
            )
            #expect(status?.phase == .promoted)
            #expect(fixture.router.routes().first?.targets.map(\.weight) == [0, 100])
        }
    }

    @Test(
        "a mirrored slow version: the client gets only the primary's answers, calls past max_concurrent are dropped, answers agree"
    )
    func shadowTraffic() async throws {
        let (backends, _) = try Self.backends()
        let files = try Self.setFaultsOnBoth(#"{"versions": {"2": {"latency_ms": 100}}}"#)
        defer { for file in files { try? Self.setFaults(file, latencyMilliseconds: 0) } }
        let route = ModelRoute(
            model: "faulty", targets: [RouteTarget(version: "1", weight: 1)],
            shadow: ShadowPolicy(percent: 100, version: "2", maxConcurrent: 2))
        try await RouterFixture.with(backends: backends, routes: [route]) { fixture in
            for _ in 0..<60 {
                let answer = try await fixture.router.forward(inferRequest(model: "faulty"))
                #expect(answer.status == 200)
                #expect(answer.header("x-routed-version") == "1")
                #expect(String(decoding: answer.body, as: UTF8.self).contains(#""model_version":"1""#))
            }
            try await eventually("the shadow calls in flight end") {
                fixture.router.shadowStatistics(model: "faulty").inFlight == 0
            }
            let stats = fixture.router.shadowStatistics(model: "faulty")
            print(
                "shadow: 60 requests, version 2 mirrored 100 ms slower with at most 2 in flight: "
                    + "\(stats.sent) sent, \(stats.dropped) dropped, \(stats.agreed) agreed, \(stats.disagreed) disagreed"
            )
            #expect(stats.sent + stats.dropped == 60)
            #expect(stats.sent >= 2 && stats.dropped > 0)
            #expect(stats.answered == stats.sent && stats.failed == 0)
            #expect(stats.agreed == stats.answered)
        }
    }
}
