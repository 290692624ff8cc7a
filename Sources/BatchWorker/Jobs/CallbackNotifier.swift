import CurlHTTP
import Foundation
import Logging

/// Posts a job's completion event to its `callback_url`, retrying with backoff.
///
/// A 2xx answer delivers it; a client error other than 408/429 stops at once; anything else
/// (no answer, 5xx) is retried up to `attempts` times. A callback that never succeeds is logged
/// and dropped: the event on Kafka remains the durable record.
public struct CallbackNotifier: Sendable {
    private let transport: CurlHTTPTransport
    private let attempts: Int
    private let backoff: Duration
    private let timeout: Duration
    private let logger: Logger

    /// Creates a notifier sending through `transport` (owned by the caller).
    public init(
        transport: CurlHTTPTransport, attempts: Int = 5, backoff: Duration = .milliseconds(500),
        timeout: Duration = .seconds(5), logger: Logger
    ) {
        self.transport = transport
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.logger = logger
    }

    /// Delivers `body` (JSON) to `url`; returns true when the receiver answered 2xx.
    @discardableResult
    public func notify(url: String, body: Data, jobID: UUID) async -> Bool {
        var delay = backoff
        for attempt in 1...attempts {
            let request = HTTPRequestSpec(
                method: "POST", url: url,
                headers: [
                    (name: "Content-Type", value: "application/json"), (name: "X-Batch-Job-Id", value: "\(jobID)"),
                ],
                body: body, timeout: timeout)
            var retry = true
            do {
                let response = try await transport.execute(request)
                if (200..<300).contains(response.status) {
                    logger.info("batch.callback.delivered", metadata: [LogKey.jobID: "\(jobID)"])
                    return true
                }
                retry = response.status == 408 || response.status == 429 || response.status >= 500
            } catch let error as HTTPClientError where error.isCancellation {
                return false
            } catch {}
            guard retry, attempt < attempts else { break }
            do { try await Task.sleep(for: delay) } catch { return false }
            delay *= 2
        }
        logger.warning("batch.callback.failed", metadata: [LogKey.jobID: "\(jobID)"])
        return false
    }
}
