import Logging
import Metrics
import RedisClient
import Synchronization

/// Distributed rate limiting in Redis with GCRA: one atomic script call per request checks the
/// principal's limit and, when given, the principal's limit for the model.
///
/// Both limits must admit a request. When either refuses, neither is charged: a request that
/// the model limit refuses does not use up the principal's quota (and the reverse), because
/// both keys are read, decided and written inside one script call.
///
/// When Redis cannot be asked (down, timing out, erroring) the configured
/// ``RateLimiterConfiguration/FailureMode`` decides, the decision is marked not
/// ``RateLimitDecision/enforced``, and the outage is logged once when it starts and once when it
/// ends, never per request.
///
/// Metrics: `rate_limit_decisions_total{outcome}` and `rate_limit_redis_available`.
public final class RateLimiter: Sendable {
    private let client: RedisClient
    private let configuration: RateLimiterConfiguration
    private let logger: Logger
    private let metrics: RateLimiterMetrics
    private let availability: Mutex<RedisAvailabilityStateMachine>

    /// Creates a limiter over `client`; it owns no connections of its own.
    ///
    /// - Parameters:
    ///   - client: the Redis client; its command timeout bounds how long a check can wait.
    ///   - configuration: key prefix, failure mode and probe interval.
    ///   - logger: receives one line per Redis availability change.
    ///   - metricsFactory: where the series go; default the process-wide `MetricsSystem`.
    public init(
        client: RedisClient,
        configuration: RateLimiterConfiguration = RateLimiterConfiguration(),
        logger: Logger = Logger(label: "rate-limit"),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        self.metrics = RateLimiterMetrics(factory: metricsFactory)
        self.availability = Mutex(RedisAvailabilityStateMachine(probeInterval: configuration.probeInterval))
        metrics.redisAvailability(true)
    }

    /// Whether the last attempt to reach Redis succeeded (true until one fails).
    public var isRedisAvailable: Bool {
        availability.withLock { $0.state == .available }
    }

    /// Decides one request of `cost` for `principal` under `policy`, and, when both `model` and
    /// `modelPolicy` are given, also under the principal's limit for that model.
    ///
    /// Keys: `rl:{principal}` and `rl:{principal}:{model}` (see ``RateLimitKeys``); each expires
    /// once its state no longer matters.
    ///
    /// - Throws: only `CancellationError`, when the calling task is cancelled while its script
    ///   call still waits to be sent. Every Redis failure becomes the failure mode's decision instead.
    public func check(
        principal: String,
        policy: RateLimitPolicy,
        model: String? = nil,
        modelPolicy: RateLimitPolicy? = nil,
        cost: Int = 1
    ) async throws(CancellationError) -> RateLimitDecision {
        precondition(cost >= 1, "a request costs at least 1")
        var keys = [configuration.keys.principalKey(principal)]
        var limits = [GCRA.Limit(policy)]
        if let model, let modelPolicy {
            keys.append(configuration.keys.modelKey(principal: principal, model: model))
            limits.append(GCRA.Limit(modelPolicy))
        }

        let action = availability.withLock { $0.requestArrived(now: .now) }
        if action == .useFailureMode {
            return failureModeDecision(limits: limits)
        }
        do {
            let reply = try await client.evaluate(
                GCRAScript.script, keys: keys, arguments: GCRAScript.arguments(limits: limits, cost: cost))
            let decision = try GCRAScript.decision(from: reply)
            if let transition = availability.withLock({ $0.succeeded() }) {
                report(transition, error: nil)
            }
            metrics.decided(decision.allowed ? .allowed : .refused)
            return decision
        } catch is CancellationError {
            if action == .probe {
                availability.withLock { $0.probeAbandoned() }
            }
            throw CancellationError()
        } catch {
            if let transition = availability.withLock({ $0.failed(now: .now) }) {
                report(transition, error: error)
            }
            return failureModeDecision(limits: limits)
        }
    }

    private func failureModeDecision(limits: [GCRA.Limit]) -> RateLimitDecision {
        let limit = limits.map(\.burst).min() ?? 0
        switch configuration.failureMode {
        case .open:
            metrics.decided(.failOpen)
            return RateLimitDecision(
                allowed: true, limit: limit, remaining: limit, resetAfter: .zero, retryAfter: .zero, enforced: false)
        case .closed(let retryAfter):
            metrics.decided(.failClosed)
            return RateLimitDecision(
                allowed: false, limit: limit, remaining: 0, resetAfter: retryAfter, retryAfter: retryAfter,
                enforced: false)
        }
    }

    private func report(_ transition: RedisAvailabilityStateMachine.Transition, error: (any Error)?) {
        switch transition {
        case .becameUnavailable:
            metrics.redisAvailability(false)
            logger.error(
                "rate_limit.redis.unavailable",
                metadata: [
                    RateLimitLogKey.error: "\(error.map { String(describing: $0) } ?? "unknown")",
                    RateLimitLogKey.failureMode: "\(failureModeName)",
                ])
        case .becameAvailable:
            metrics.redisAvailability(true)
            logger.notice("rate_limit.redis.available")
        }
    }

    private var failureModeName: String {
        switch configuration.failureMode {
        case .open: "open"
        case .closed: "closed"
        }
    }
}

/// Metadata keys of the rate limiter's log lines.
enum RateLimitLogKey {
    /// The error that made Redis count as unavailable (its safe description).
    static let error = "rate_limit.error"
    /// `open` or `closed`: what requests get during the outage.
    static let failureMode = "rate_limit.failure_mode"
}
