import Logging

/// Thrown by ``BatchWorker/retrying(_:_:)`` when the failure is the item's fault.
struct PermanentFailure: Error, Sendable {
    /// A label-safe error name for the dead-letter record.
    var code: String
    /// Why, safe to store and to show to the job's owner.
    var reason: String
}

extension BatchWorker {
    /// Runs `body` until it succeeds, retrying transient failures with backoff for as long as it
    /// takes; while it waits, consumption is paused (see ``DependencyGate``).
    ///
    /// Throws ``PermanentFailure`` for a failure that is the item's fault, and
    /// `CancellationError` when the worker stops.
    func retrying<Result: Sendable>(
        _ operation: String, _ body: () async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        var waiting = false
        defer { if waiting { gate.leave() } }
        var generator = SystemRandomNumberGenerator()
        while true {
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
                    attempt += 1
                    if !waiting {
                        waiting = true
                        gate.enter()
                    }
                    if attempt == 1 || attempt.isMultiple(of: 20) {
                        logger.warning(
                            "batch.dependency.retrying",
                            metadata: [
                                LogKey.operation: "\(operation)", LogKey.attempt: "\(attempt)",
                                LogKey.error: "\(error)",
                            ])
                    }
                    metrics.retried(operation)
                    try await Task.sleep(for: configuration.retry.delay(afterAttempt: attempt, using: &generator))
                }
            }
        }
    }

    /// The dead-letter `error_code` of a permanent failure.
    static func errorCode(of error: any Error) -> String {
        (error as? BatchWorkerError)?.name ?? BatchWorkerError.rejectedByModel("").name
    }
}

/// Metadata keys of the worker's log messages.
enum LogKey {
    static let error = "error"
    static let operation = "batch.operation"
    static let attempt = "batch.attempt"
    static let jobID = "batch.job_id"
    static let itemID = "batch.item_id"
    static let model = "batch.model"
    static let partition = "kafka.partition"
    static let offset = "kafka.offset"
    static let items = "batch.items"
}
