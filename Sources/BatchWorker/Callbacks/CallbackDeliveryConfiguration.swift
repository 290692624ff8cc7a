import Configuration
import Resilience

/// How job callbacks are signed, fenced, retried and bounded.
///
/// Keys: `callback.signing_secret` (`CALLBACK_SIGNING_SECRET`; without it callbacks stay
/// pending, unsent) and, under `batch.callback.`, `allow` (allow-list entries, see
/// ``CallbackAllowList``; `BATCH_CALLBACK_ALLOW`, comma-separated), `attempts`, `backoff_ms`,
/// `backoff_max_ms`, `timeout_ms`, `max_concurrent`, `poll_interval_ms`, `max_response_bytes`.
public struct CallbackDeliveryConfiguration: Sendable {
    /// The HMAC key every callback is signed with; empty disables delivery.
    public var signingSecret: String
    /// Allow-list entries for receivers on non-public addresses. Default none.
    public var allowList: [String]
    /// Attempts per callback before it is `failed`. Default 5.
    public var attempts: Int
    /// Delay between attempts: 500 ms, doubling, at most 60 s, 20 % jitter.
    public var backoff: Backoff
    /// Limit of one attempt (connect, send, answer). Default 5 s.
    public var timeout: Duration
    /// Callbacks being attempted at once by this process. Default 8.
    public var maxConcurrent: Int
    /// How often the outbox is checked for due callbacks when idle. Default 500 ms.
    public var pollInterval: Duration
    /// The most response body bytes read from a receiver. Default 8 KiB.
    public var maxResponseBytes: Int

    /// Creates a configuration; every argument but the secret has the documented default.
    public init(
        signingSecret: String,
        allowList: [String] = [],
        attempts: Int = 5,
        backoff: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(60)),
        timeout: Duration = .seconds(5),
        maxConcurrent: Int = 8,
        pollInterval: Duration = .milliseconds(500),
        maxResponseBytes: Int = 8192
    ) {
        self.signingSecret = signingSecret
        self.allowList = allowList
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.maxConcurrent = max(1, maxConcurrent)
        self.pollInterval = pollInterval
        self.maxResponseBytes = max(0, maxResponseBytes)
    }

    /// Reads the keys above; missing ones take the documented defaults.
    public init(config: ConfigReader) {
        let callback = config.scoped(to: "batch").scoped(to: "callback")
        let defaults = CallbackDeliveryConfiguration(signingSecret: "")
        self.init(
            signingSecret: config.string(forKey: "callback.signing_secret", isSecret: true, default: ""),
            allowList: callback.stringArray(forKey: "allow") ?? [],
            attempts: callback.int(forKey: "attempts", default: defaults.attempts),
            backoff: Backoff(
                initial: .milliseconds(callback.int(forKey: "backoff_ms", default: 500)),
                maximum: .milliseconds(callback.int(forKey: "backoff_max_ms", default: 60_000))),
            timeout: .milliseconds(callback.int(forKey: "timeout_ms", default: 5000)),
            maxConcurrent: callback.int(forKey: "max_concurrent", default: defaults.maxConcurrent),
            pollInterval: .milliseconds(callback.int(forKey: "poll_interval_ms", default: 500)),
            maxResponseBytes: callback.int(forKey: "max_response_bytes", default: defaults.maxResponseBytes))
    }

    /// How long a claimed callback stays with its worker before another may try it: longer than
    /// any attempt can take.
    var lease: Duration { timeout * 2 + .seconds(10) }
}
