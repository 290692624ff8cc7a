import BatchProtocol
import Foundation
import Logging
import PostgresClient
import Resilience

/// Thrown by ``BatchWorker/retrying(_:on:_:)`` when the failure is the item's fault.
struct PermanentFailure: Error, Sendable {
    /// A label-safe error name for the dead-letter record.
    var code: String
    /// Why, safe to store and to show to the job's owner.
    var reason: String
}

/// What a retried step depends on, and so which health check tells an outage from a bad item.
enum Dependency: Sendable, Hashable {
    /// The router: for a model once it is known, else the router alone.
    case router(ModelKey?)
    /// PostgreSQL.
    case database
    /// S3.
    case objectStore
    /// Kafka. No check: its transient failures are never an item's fault (librdkafka retries,
    /// and a record too large is permanent), so they never spend a budget.
    case broker

    /// A label-safe name for logs and reasons.
    var name: String {
        switch self {
        case .router: "the router"
        case .database: "PostgreSQL"
        case .objectStore: "S3"
        case .broker: "Kafka"
        }
    }
}

extension BatchWorker {
    /// Runs `body` until it succeeds, retrying transient failures with backoff; while it waits,
    /// consumption is paused (see ``DependencyGate``).
    ///
    /// With a `dependency` the step belongs to one item and has an attempt budget
    /// (``BatchWorkerConfiguration/maxAttempts``): once it is spent, the dependency's health check
    /// decides. Down: the item waits as long as the outage lasts. Up: the item is at fault and
    /// this throws ``PermanentFailure`` (`attempts_exhausted`). Without one (job-level work),
    /// transient failures are retried for as long as it takes.
    ///
    /// With a `deadline` (the item's job's window) the item stops waiting when it passes, and
    /// this throws ``PermanentFailure`` (`expired`).
    ///
    /// Throws ``PermanentFailure`` for a failure that is the item's fault, and
    /// `CancellationError` when the worker stops.
    func retrying<Result: Sendable>(
        _ operation: String, on dependency: Dependency? = nil, until deadline: Date? = nil,
        _ body: () async throws -> Result
    ) async throws -> Result {
        var budget = AttemptBudget(maxAttempts: configuration.maxAttempts)
        var waiting = false
        defer { if waiting { gate.leave() } }
        var generator = environment.generator
        while true {
            if let deadline, environment.now() >= deadline { throw Self.expiredFailure(deadline) }
            do {
                return try await body()
            } catch {
                switch FailureKind.of(error) {
                case .cancelled:
                    throw CancellationError()
                case .permanent(let reason):
                    throw PermanentFailure(code: Self.errorCode(of: error), reason: reason)
                case .transient:
                    try Task.checkCancellation()
                    if !waiting {
                        waiting = true
                        gate.enter()
                    }
                    let decision = budget.failed(reachable: !FailureKind.isUnreachable(error))
                    if decision != .retry, let dependency, dependency != .broker {
                        if decision == .checkDependency, await isUp(dependency) {
                            throw exhausted(operation, dependency, attempts: budget.totalFailures, error: error)
                        }
                        budget.dependencyDown()
                        noteDependencyDown()
                        logger.warning(
                            "batch.dependency.down",
                            metadata: [
                                BatchLogKey.operation: "\(operation)", BatchLogKey.dependency: "\(dependency.name)",
                            ])
                    }
                    let attempt = budget.totalFailures
                    if attempt == 1 || attempt.isMultiple(of: 20) {
                        logger.warning(
                            "batch.dependency.retrying",
                            metadata: [
                                BatchLogKey.operation: "\(operation)", BatchLogKey.attempt: "\(attempt)",
                                BatchLogKey.error: "\(error)",
                            ])
                    }
                    metrics.retried(operation)
                    var delay = configuration.retry.delay(attempt: attempt, using: &generator)
                    if let deadline {
                        delay = min(delay, .seconds(max(0, deadline.timeIntervalSince(environment.now()))))
                    }
                    try await Task.sleep(for: delay)
                }
            }
        }
    }

    /// The failure of an item whose job's completion window ended (at `deadline`) before it finished.
    static func expiredFailure(_ deadline: Date?) -> PermanentFailure {
        let when = deadline.map { " at \($0.formatted(.iso8601))" } ?? ""
        let failure = BatchWorkerError.expired("the job's completion window ended\(when) before the item finished")
        return PermanentFailure(code: failure.name, reason: failure.reason)
    }

    /// The failure of an item whose budget is spent while `dependency` answers its health check.
    private func exhausted(_ operation: String, _ dependency: Dependency, attempts: Int, error: any Error)
        -> PermanentFailure
    {
        logger.warning(
            "batch.item.attempts_exhausted",
            metadata: [
                BatchLogKey.operation: "\(operation)", BatchLogKey.attempt: "\(attempts)",
                BatchLogKey.error: "\(error)",
            ])
        let failure = BatchWorkerError.attemptsExhausted(
            "\(operation) failed \(attempts) times while \(dependency.name) was up: \(error)")
        return PermanentFailure(code: failure.name, reason: failure.reason)
    }

    /// True when `dependency` answers its health check. For the router and a model that has
    /// succeeded before, the model's canary must succeed too: when it fails the same way, every
    /// item of the model fails, so the model is down rather than the item bad.
    func isUp(_ dependency: Dependency) async -> Bool {
        switch dependency {
        case .router(let key):
            guard await inference.isReady(model: key?.model, version: key?.version) else { return false }
            guard let key, let canary = knownModels.canary(for: key) else { return true }
            do {
                _ = try await inference.infer(canary, model: key.model, version: key.version)
                return true
            } catch {
                return FailureKind.of(error) != .transient
            }
        case .database:
            do {
                _ = try await store.job(Self.probeJobID)
                return true
            } catch {
                return false
            }
        case .objectStore:
            return (try? await objects.bucketExists()) == true
        case .broker:
            return false
        }
    }

    /// The job looked up by the PostgreSQL health check (it never exists; the lookup is the check).
    static let probeJobID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 0))

    /// The dead-letter `error_code` of a permanent failure.
    static func errorCode(of error: any Error) -> String {
        if let error = error as? BatchWorkerError { return error.name }
        if let error = error as? PostgresError, error.isDataError { return BatchWorkerError.unstorableData("").name }
        return BatchWorkerError.rejectedByModel("").name
    }
}
