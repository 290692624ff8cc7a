import Foundation
import Tracing
import InferenceProtocol
import Logging
import Synchronization
import TritonClient

/// The orchestrator: spreads KServe v2 requests for each model over Triton backends.
///
/// Per request it picks a route target (canary), then a backend (health, breaker, balancer),
/// calls it, records the outcome, and retries on another backend when the request is known not
/// to have been processed, within the attempt limit, the retry budget and the deadline.
public final class ModelRouter: KServeUpstream {
    private let state: Mutex<RoutingState>
    private let clients: Mutex<[BackendID: TritonHTTPClient]>
    /// Clients for the backends' Prometheus endpoints (those with a `metricsURL`).
    let metricsClients: [BackendID: TritonHTTPClient]

    private let canaryObserver = Mutex<(@Sendable (String, CanaryRollout.Decision) -> Void)?>(nil)
    /// What each model's shadow calls did, with those in flight.
    let shadowStats = Mutex<[String: ShadowStats]>([:])

    /// Whether any backend has a metrics URL, so a ``QueueMonitor`` has something to read.
    public var readsQueues: Bool { !metricsClients.isEmpty }
    let metrics: RouterMetrics
    /// Where the routes in force came from; locked before `state` whenever both are.
    let layers: Mutex<RouteLayers>
    let logger: Logger

    /// Creates a router over `backends`, calling them through clients made by `connector`.
    public init(
        backends: [BackendDescriptor],
        routes: [ModelRoute],
        configuration: RouterConfiguration = .init(),
        connector: TritonConnector,
        logger: Logger
    ) throws {
        let table = try RouteTable(routes: routes)
        state = Mutex(RoutingState(backends: backends, routes: table, configuration: configuration))
        layers = Mutex(RouteLayers(file: routes))
        metricsClients = Dictionary(
            uniqueKeysWithValues: backends.compactMap { backend in
                backend.metricsURL.map { (backend.id, connector.client(baseURL: $0, defaultTimeout: .seconds(5))) }
            })
        self.logger = logger
        metrics = RouterMetrics()
        clients = Mutex(
            Dictionary(
                uniqueKeysWithValues: backends.map {
                    (
                        $0.id,
                        connector.client(baseURL: $0.url, defaultTimeout: configuration.defaultTimeout)
                    )
                }))
    }

    /// Forwards one KServe v2 request to a backend chosen for its model.
    ///
    /// Throws ``InferenceError`` when no backend answered: `deadlineExceeded` (504),
    /// `unavailable` (503), `notFound` for a version the route does not serve.
    public func forward(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        // In-process callers skip the HTTP surface's check: a bad length is the client's 400, never a backend fault.
        _ = try InferenceHeaderLength.parse(headers: request.headers, bodyCount: request.body?.count ?? 0)
        guard let model = request.model else { return try await forwardServerLevel(request) }
        guard TraceContext.isEnabled else { return try await route(request, model: model, span: nil) }
        return try await withSpan("router.route") { span in
            span.attributes[SpanKeys.model] = model
            return try await route(request, model: model, span: span)
        }
    }

    /// The routing decision for `model` (recorded on `span`: the version chosen), then the attempts.
    private func route(_ request: UpstreamRequest, model: String, span: (any Span)?) async throws -> UpstreamResponse {
        try admit(model: model, version: request.version)
        // Canary weights apply to inference; metadata and readiness without a version pass as asked.
        let isInference = request.isInference
        let selection = state.withLock { state -> Result<Selection, UnroutedVersionError> in
            Result { () throws(UnroutedVersionError) -> Selection in
                guard isInference || request.version != nil else { return Selection(target: RouteTarget(weight: 1)) }
                let target = try state.selectTarget(
                    model: model, pinnedVersion: request.version, stickyKey: request.stickyKey)
                guard isInference else { return Selection(target: target) }
                return Selection(
                    target: target, watched: state.hasActiveRollout(model: model),
                    shadow: state.shadowDraw(model: model))
            }
        }
        let chosen: Selection
        switch selection {
        case .success(let selected): chosen = selected
        case .failure(let error): throw InferenceError.notFound(error.description)
        }
        let version = request.version ?? chosen.target.version
        span?.attributes[SpanKeys.modelVersion] = version ?? "default"
        let routed = request.forVersion(version)
        metrics.routed(model: model, version: version)
        guard chosen.watched || chosen.shadow != nil else {
            var response = try await attempt(routed, model: model, target: chosen.target)
            if let version { response.headers.append((name: "x-routed-version", value: version)) }
            return response
        }
        let start = ContinuousClock.now
        do {
            var response = try await attempt(routed, model: model, target: chosen.target)
            if chosen.watched {
                recordCanary(model: model, version: version, failed: response.status >= 500, since: start)
            }
            if let shadow = chosen.shadow {
                mirror(
                    request, model: model, policy: shadow, primary: response, primaryLatency: start.duration(to: .now))
            }
            if let version { response.headers.append((name: "x-routed-version", value: version)) }
            return response
        } catch let error as InferenceError where error.httpStatus >= 500 {
            if chosen.watched { recordCanary(model: model, version: version, failed: true, since: start) }
            throw error
        }
    }

    /// What the route decided for one request: the target, whether a rollout counts it, and the
    /// shadow policy when it is mirrored.
    private struct Selection {
        var target: RouteTarget
        var watched = false
        var shadow: ShadowPolicy?
    }

    /// Counts one request for `model`'s rollout and acts on the decision it leads to.
    private func recordCanary(model: String, version: String?, failed: Bool, since start: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        guard
            let decision = state.withLock({
                $0.recordCanaryOutcome(
                    model: model, version: version, failed: failed, latency: start.duration(to: now), now: now)
            })
        else { return }
        logger.notice(
            "router.canary.decision",
            metadata: [
                "model": "\(model)", "canary.action": "\(decision.action)",
                "canary.percent": "\(decision.canaryPercent)", "canary.reason": "\(decision.reason)",
            ])
        metrics.canary(model: model, decision: decision)
        canaryObserver.withLock { $0 }?(model, decision)
    }

    /// Called with every rollout decision (e.g. to write an audit row); runs on the request's
    /// task, so it must not block.
    public func observeCanaryDecisions(_ observer: @escaping @Sendable (String, CanaryRollout.Decision) -> Void) {
        canaryObserver.withLock { $0 = observer }
    }

    /// Refuses a model (version) the router does not know before any state or series is made for it.
    private func admit(model: String, version: String?) throws {
        let (known, loaded) = state.withLock { ($0.knows(model: model, version: version), $0.catalog.isLoaded) }
        if known { return }
        metrics.unknown()
        guard loaded else {
            throw InferenceError.unavailable(
                "the router has not read the backends' model repositories yet", retryAfter: .seconds(1))
        }
        let name = "'\(model.prefix(64))'" + (version.map { " version '\($0.prefix(32))'" } ?? "")
        throw InferenceError.notFound("unknown model \(name): not routed and in no backend's repository")
    }

    /// The attempt loop: one backend per attempt, never the same one twice.
    private func attempt(_ request: UpstreamRequest, model: String, target: RouteTarget) async throws
        -> UpstreamResponse
    {
        // One lock for the request's bookkeeping: the retry budget's count and the hedge delay.
        let (maxAttempts, hedgeDelay) = state.withLock {
            $0.recordRequest(now: .now)
            return ($0.configuration.maxAttempts, request.isInference ? $0.hedgeDelay(model: model) : nil)
        }
        var tried: Set<BackendID> = []
        var failures: [String] = []
        for attempt in 1...maxAttempts {
            if attempt > 1 {
                let delay = state.withLock { state -> Duration? in
                    guard state.tryAcquireRetry(now: .now) else { return nil }
                    return state.backoff(attempt: attempt - 1, now: .now, deadline: request.deadline)
                }
                guard let delay else { break }
                metrics.retried(model: model)
                if delay > .zero { try await Task.sleep(for: delay) }
            }
            guard let lease = state.withLock({ $0.acquire(model: model, target: target, excluding: tried, now: .now) })
            else { break }
            tried.insert(lease.backend)
            let outcome: UpstreamOutcome
            let backend: BackendID
            if attempt == 1, let hedgeDelay {
                (outcome, backend) = await hedged(
                    lease, request: request, model: model, target: target, after: hedgeDelay)
                tried.insert(backend)
            } else {
                (outcome, backend) = (await call(lease, request: request), lease.backend)
            }
            switch outcome {
            case .answered(var response, _), .serverFault(var response):
                response.headers.append((name: "x-routed-backend", value: backend.rawValue))
                return response
            case .overloaded(let response):
                throw InferenceError.overloaded(
                    message:
                        "model '\(model)' is overloaded on \(backend): \(response.errorText)",
                    retryAfter: .seconds(1))
            case .cancelled:
                throw CancellationError()
            case .timedOut:
                throw InferenceError.deadlineExceeded("no answer from \(backend) before the deadline")
            case .failed(let error):
                throw InferenceError.upstream(status: 502, message: "\(backend): \(error)")
            case .retryable(let error):
                failures.append("\(backend): \(error.message)")
                if let deadline = request.deadline, deadline <= .now {
                    throw InferenceError.deadlineExceeded("the deadline passed after \(attempt) attempt(s)")
                }
            }
        }
        let detail =
            failures.isEmpty ? "every backend is unhealthy or its breaker is open" : failures.joined(separator: "; ")
        throw InferenceError.unavailable("no backend available for model '\(model)': \(detail)")
    }

    /// The first attempt of a hedged request: `lease` at once and, if it has not answered after
    /// `delay`, a second attempt to another backend (paid from the retry budget). The first
    /// outcome that is not a cancellation wins; the other attempt is cancelled.
    private func hedged(
        _ lease: BackendLease, request: UpstreamRequest, model: String, target: RouteTarget, after delay: Duration
    ) async -> (UpstreamOutcome, BackendID) {
        await withTaskGroup(of: (UpstreamOutcome, BackendID)?.self) { group in
            group.addTask { (await self.call(lease, request: request), lease.backend) }
            group.addTask {
                do { try await Task.sleep(for: delay) } catch { return nil }
                let hedge = self.state.withLock { state -> BackendLease? in
                    guard state.tryAcquireRetry(now: .now) else { return nil }
                    return state.acquire(model: model, target: target, excluding: [lease.backend], now: .now)
                }
                guard let hedge else { return nil }
                self.metrics.hedged(model: model, outcome: "sent")
                return (await self.call(hedge, request: request), hedge.backend)
            }
            var cancelled: (UpstreamOutcome, BackendID)?
            while let result = await group.next() {
                guard let result else { continue }
                if case .cancelled = result.0 {
                    cancelled = result
                    continue
                }
                group.cancelAll()
                if result.1 != lease.backend { metrics.hedged(model: model, outcome: "won") }
                return result
            }
            return cancelled ?? (.cancelled, lease.backend)
        }
    }

    /// One call to one backend; records the outcome against the lease.
    func call(_ lease: BackendLease, request: UpstreamRequest) async -> UpstreamOutcome {
        guard TraceContext.isEnabled else { return await callBackend(lease, request: request) }
        return await withSpan("router.attempt", ofKind: .client) { span in
            span.attributes[SpanKeys.backend] = lease.backend.description
            if let model = request.model { span.attributes[SpanKeys.model] = model }
            if let version = request.version { span.attributes[SpanKeys.modelVersion] = version }
            let outcome = await callBackend(lease, request: request)
            span.attributes[SpanKeys.outcome] = outcome.metricName
            if outcome.callOutcome == .failure { span.setStatus(SpanStatus(code: .error)) }
            return outcome
        }
    }

    private func callBackend(_ lease: BackendLease, request: UpstreamRequest) async -> UpstreamOutcome {
        guard let client = clients.withLock({ $0[lease.backend] }) else {
            _ = state.withLock { $0.release(lease, outcome: .ignored, latency: nil, now: .now) }
            return .failed(InferenceError.internal("backend \(lease.backend) has no client"))
        }
        let start = ContinuousClock.now
        let outcome: UpstreamOutcome
        do {
            outcome = .classify(try await client.forward(request))
        } catch {
            outcome = .classify(error)
        }
        let end = ContinuousClock.now
        let events = state.withLock { state in
            if case .answered(_, .success) = outcome, let model = request.model {
                state.recordLatency(model: model, start.duration(to: end))
            }
            return state.release(lease, outcome: outcome.callOutcome, latency: start.duration(to: end), now: end)
        }
        metrics.attempt(backend: lease.backend, outcome: outcome, latency: start.duration(to: end))
        report(events)
        return outcome
    }

    /// Logs and counts state changes (breaker transitions, ejections, health changes).
    func report(_ events: [RoutingEvent]) {
        for event in events {
            switch event {
            case .breaker(let backend, let transition):
                logger.warning(
                    "router.breaker.transition",
                    metadata: [
                        "backend": "\(backend)", "breaker.from": "\(transition.from.rawValue)",
                        "breaker.to": "\(transition.to.rawValue)", "breaker.reason": "\(transition.reason.rawValue)",
                    ])
                metrics.breakerState(backend: backend, state: transition.to)
            case .ejected(let ejection):
                logger.warning(
                    "router.backend.ejected",
                    metadata: [
                        "backend": "\(ejection.backend)", "ejection.seconds": "\(ejection.duration.components.seconds)",
                    ])
                metrics.ejected(backend: ejection.backend)
            case .health(let transition):
                logger.notice(
                    "router.health.transition",
                    metadata: [
                        "backend": "\(transition.backend)", "model": "\(transition.model ?? "-")",
                        "health.from": "\(transition.from.rawValue)", "health.to": "\(transition.to.rawValue)",
                    ])
                if transition.model == nil {
                    metrics.health(backend: transition.backend, healthy: transition.to != .unhealthy)
                }
                if transition.to == .healthy, transition.model == nil {
                    metrics.breakerState(backend: transition.backend, state: .closed)
                }
            }
        }
    }

    /// Runs `body` with exclusive access to the routing state (admin, probes, tests).
    func withState<T>(_ body: (inout RoutingState) throws -> T) rethrows -> T {
        try state.withLock { try body(&$0) }
    }

    /// The client for one backend.
    func client(for backend: BackendID) -> TritonHTTPClient? {
        clients.withLock { $0[backend] }
    }
}
