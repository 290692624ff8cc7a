import Configuration
import RateLimiting

/// Rate-limit settings: keys under `gateway.rate_limit.`.
///
/// Every principal gets ``principal`` unless its API key carries its own rate (requests per
/// second); every (principal, model) pair also gets ``model`` when it is set.
public struct RateLimitSettings: Sendable {
    /// The limit per principal. Default 100 per second, burst 100
    /// (`limit`, `period_ms`, `burst`).
    public var principal: RateLimitPolicy = RateLimitPolicy(limit: 100, period: .seconds(1), burst: 100)
    /// The limit per (principal, model), or nil for none. Default none
    /// (`model.limit`, `model.period_ms`, `model.burst`; a limit of 0 means none).
    public var model: RateLimitPolicy?
    /// Batch items per owner, each item one cell: default 10,000 per minute, 10,000 at once
    /// (`batch_items.limit`, `batch_items.period_ms`, `batch_items.burst`).
    public var batchItems: RateLimitPolicy = RateLimitPolicy(limit: 10_000, period: .seconds(60), burst: 10_000)
    /// What happens while Redis cannot be asked. Default fail-open
    /// (`failure_mode: open|closed`, `failure_retry_after_ms` for closed, default 1000).
    public var failureMode: RateLimiterConfiguration.FailureMode = .open
    /// The Redis key prefix. Default `rl` (`key_prefix`).
    public var keyPrefix: String = "rl"

    /// The defaults.
    public init() {}

    /// Reads the settings under a `rate_limit` scope.
    public init(config: ConfigReader) {
        principal = Self.policy(config, default: principal) ?? principal
        model = Self.policy(config.scoped(to: "model"), default: nil)
        batchItems = Self.policy(config.scoped(to: "batch_items"), default: batchItems) ?? batchItems
        let retryAfter = Duration.milliseconds(max(1, config.int(forKey: "failure_retry_after_ms", default: 1000)))
        failureMode =
            config.string(forKey: "failure_mode", default: "open") == "closed" ? .closed(retryAfter: retryAfter) : .open
        keyPrefix = config.string(forKey: "key_prefix", default: keyPrefix)
    }

    private static func policy(_ config: ConfigReader, default fallback: RateLimitPolicy?) -> RateLimitPolicy? {
        let limit = config.int(forKey: "limit", default: fallback?.limit ?? 0)
        guard limit > 0 else { return nil }
        let periodMilliseconds = config.int(
            forKey: "period_ms", default: fallback.map { Int($0.period.components.seconds) * 1000 } ?? 1000)
        let burst = config.int(forKey: "burst", default: fallback?.burst ?? limit)
        return RateLimitPolicy(limit: limit, period: .milliseconds(max(1, periodMilliseconds)), burst: max(1, burst))
    }
}
