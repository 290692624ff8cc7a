import CurlHTTP
import BatchProtocol
import Foundation
import Logging
import Metrics
import PlatformStore
import Resilience
import ServiceLifecycle

/// Drains the callback outbox: claims due callbacks, attempts at most
/// ``CallbackDeliveryConfiguration/maxConcurrent`` at once, and records each outcome (delivered,
/// retry after backoff, or failed).
///
/// Runs beside the pipeline, never inside it: a slow or dead receiver holds one of this loop's
/// slots, not a batch. Graceful shutdown stops claiming and lets attempts in flight finish;
/// cancellation stops at once, and the callbacks claimed become due again when their lease ends.
public final class CallbackDeliveryService: Service, Sendable {
    private enum Event: Sendable {
        case tick
        case finished
    }

    private let configuration: CallbackDeliveryConfiguration
    private let outbox: CallbackOutbox
    private let sender: CallbackSender
    private let logger: Logger

    /// Creates the service; `transport` (owned by the caller) should serve callbacks only, so
    /// their connections and DNS cache are apart from the platform's own traffic.
    ///
    /// - Throws: ``CallbackConfigurationError`` for a malformed allow-list entry.
    public init(
        configuration: CallbackDeliveryConfiguration, outbox: CallbackOutbox, transport: CurlHTTPTransport,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) throws {
        self.configuration = configuration
        self.outbox = outbox
        self.logger = logger
        sender = CallbackSender(
            transport: transport,
            fence: CallbackFence(allowList: try CallbackAllowList(parsing: configuration.allowList)),
            signer: CallbackSigner(secret: configuration.signingSecret), timeout: configuration.timeout,
            maxResponseBytes: configuration.maxResponseBytes, now: now)
    }

    /// Runs until graceful shutdown (after the attempts in flight) or cancellation.
    public func run() async throws {
        guard !configuration.signingSecret.isEmpty else {
            logger.error("batch.callback.disabled_unsigned")
            try await gracefulShutdown()
            return
        }
        await withTaskGroup(of: Event.self) { group in
            var running = 0
            var ticking = false
            while !Task.isCancelled {
                let stopping = Task.isShuttingDownGracefully
                if !stopping {
                    for claim in await claimDue(limit: configuration.maxConcurrent - running) {
                        running += 1
                        group.addTask {
                            await self.attempt(claim)
                            return .finished
                        }
                    }
                }
                if stopping && running == 0 { break }
                if !ticking {
                    ticking = true
                    let interval = configuration.pollInterval
                    group.addTask {
                        try? await Task.sleep(for: interval)
                        return .tick
                    }
                }
                switch await group.next() {
                case .tick: ticking = false
                case .finished: running -= 1
                case nil: break
                }
            }
            group.cancelAll()
        }
    }

    private func claimDue(limit: Int) async -> [CallbackClaim] {
        guard limit > 0 else { return [] }
        do {
            return try await outbox.claim(limit: limit, lease: configuration.lease)
        } catch {
            logger.warning("batch.callback.claim_failed", metadata: [BatchLogKey.error: "\(error)"])
            return []
        }
    }

    /// One attempt and its record; a claim past the budget (a worker died mid-attempt) fails
    /// without sending.
    private func attempt(_ claim: CallbackClaim) async {
        let metadata: Logger.Metadata = [BatchLogKey.jobID: "\(claim.jobID)", BatchLogKey.attempt: "\(claim.attempt)"]
        let result: CallbackAttemptResult
        if claim.attempt > configuration.attempts {
            result = .failed(error: "the attempt budget (\(configuration.attempts)) is spent")
        } else {
            do {
                try await sender.send(url: claim.url, body: Data(claim.body.utf8), jobID: claim.jobID)
                result = .delivered
            } catch let error as CallbackError {
                if error.isRetryable && claim.attempt < configuration.attempts {
                    var generator = SystemRandomNumberGenerator()
                    let delay = configuration.backoff.delay(attempt: claim.attempt, using: &generator)
                    result = .retry(after: delay, error: error.description)
                } else {
                    result = .failed(error: error.description)
                }
                Counter(label: "batch_callback_attempt_errors_total", dimensions: [("reason", error.name)]).increment()
            } catch {
                return  // Cancelled: the claim becomes due again when its lease ends.
            }
        }
        switch result {
        case .delivered: logger.info("batch.callback.delivered", metadata: metadata)
        case .retry(_, let error):
            logger.info("batch.callback.retrying", metadata: metadata.merging([BatchLogKey.error: "\(error)"]) { $1 })
        case .failed(let error):
            logger.warning("batch.callback.failed", metadata: metadata.merging([BatchLogKey.error: "\(error)"]) { $1 })
        }
        Counter(label: "batch_callbacks_total", dimensions: [("outcome", Self.outcome(result))]).increment()
        await record(result, of: claim)
    }

    /// Records the outcome, retrying briefly while PostgreSQL is unreachable; if it never
    /// succeeds the lease runs out and the callback is attempted again.
    private func record(_ result: CallbackAttemptResult, of claim: CallbackClaim) async {
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...5 {
            do {
                try await outbox.finish(claim, as: result)
                return
            } catch {
                logger.warning(
                    "batch.callback.record_failed",
                    metadata: [BatchLogKey.jobID: "\(claim.jobID)", BatchLogKey.error: "\(error)"])
                let delay = Backoff(initial: .milliseconds(200), maximum: .seconds(2)).delay(
                    attempt: attempt, using: &generator)
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    private static func outcome(_ result: CallbackAttemptResult) -> String {
        switch result {
        case .delivered: "delivered"
        case .retry: "retried"
        case .failed: "failed"
        }
    }
}
