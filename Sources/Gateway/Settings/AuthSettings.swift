import Configuration
import HTTPTypes
import Platform
import RateLimiting

/// Settings of credential checking other than JWT keys: keys under `gateway.auth.`.
public struct AuthSettings: Sendable {
    /// Turns authentication off (`disabled`, `GATEWAY_AUTH_DISABLED`; default false): no
    /// credentials are checked, no request has a principal, so nothing is rate-limited and the
    /// batch API refuses every call. For measuring what authentication and limits cost in a
    /// benchmark; accepted only with `PLATFORM_ENV=local` (``check(platformEnvironment:)``).
    public var disabled = false
    /// How long a valid API key is used without asking PostgreSQL (`api_key_cache.ttl_ms`,
    /// default 5 min). Revocations and changes are pushed by PostgreSQL and apply within a
    /// second; this bounds how long a key could work should a push be lost.
    public var apiKeyTTL: Duration = .seconds(300)
    /// How long a valid API key is used without asking PostgreSQL while changes are not pushed
    /// (`api_key_cache.unpushed_ttl_ms`, default 15 s): before the change listener's first
    /// connection and while it is disconnected, so a revocation it cannot hear still applies
    /// within this time.
    public var apiKeyUnpushedTTL: Duration = .seconds(15)
    /// How long an unknown or revoked key is refused without asking
    /// (`api_key_cache.negative_ttl_ms`, default 15 s): a key used before it was created works
    /// this long after.
    public var apiKeyNegativeTTL: Duration = .seconds(15)
    /// How much longer than the TTL a valid key keeps working while PostgreSQL cannot be asked
    /// (`api_key_cache.stale_if_error_ms`, default 10 min; 0 turns it off): the outage a gateway
    /// rides out for clients it has seen.
    public var apiKeyStaleIfError: Duration = .seconds(600)
    /// The most valid keys, and separately the most unknown keys, remembered
    /// (`api_key_cache.capacity`, default 10,000 each).
    public var apiKeyCacheCapacity: Int = 10_000
    /// Failed authentications allowed per client address (`failures.limit`, `failures.period_ms`,
    /// `failures.burst`); default 30 per minute, 30 at once.
    public var failures: RateLimitPolicy = RateLimitPolicy(limit: 30, period: .seconds(60), burst: 30)
    /// A header a trusted proxy in front sets to the client's address, e.g. `X-Forwarded-For`
    /// (`client_address_header`); its last value counts. Default none: the peer address.
    /// Set it only when every request passes that proxy, or clients can choose their address.
    public var clientAddressHeader: String?

    /// The defaults.
    public init() {}

    /// Reads the settings under an `auth` scope.
    public init(config: ConfigReader) {
        disabled = config.bool(forKey: "disabled", default: false)
        let cache = config.scoped(to: "api_key_cache")
        apiKeyTTL = .milliseconds(max(0, cache.int(forKey: "ttl_ms", default: 300_000)))
        apiKeyUnpushedTTL = .milliseconds(max(0, cache.int(forKey: "unpushed_ttl_ms", default: 15_000)))
        apiKeyNegativeTTL = .milliseconds(max(0, cache.int(forKey: "negative_ttl_ms", default: 15_000)))
        apiKeyStaleIfError = .milliseconds(max(0, cache.int(forKey: "stale_if_error_ms", default: 600_000)))
        apiKeyCacheCapacity = max(2, cache.int(forKey: "capacity", default: apiKeyCacheCapacity))
        let failureScope = config.scoped(to: "failures")
        let limit = max(1, failureScope.int(forKey: "limit", default: failures.limit))
        failures = RateLimitPolicy(
            limit: limit, period: .milliseconds(max(1, failureScope.int(forKey: "period_ms", default: 60_000))),
            burst: max(1, failureScope.int(forKey: "burst", default: limit)))
        clientAddressHeader = config.string(forKey: "client_address_header").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Refuses ``disabled`` outside the local stack: like a shipped secret, it is accepted only
    /// when `platformEnvironment` (`PLATFORM_ENV`) is `local`.
    ///
    /// - Throws: ``GatewayConfigurationError`` saying so.
    public func check(platformEnvironment: String?) throws {
        guard disabled, platformEnvironment != ShippedSecrets.localEnvironment else { return }
        throw GatewayConfigurationError(
            "refusing to start: gateway.auth.disabled (GATEWAY_AUTH_DISABLED) turns authentication and rate "
                + "limiting off, which is allowed only for benchmarks on a local stack (PLATFORM_ENV="
                + "\(ShippedSecrets.localEnvironment))")
    }

    /// The cache policy these settings describe.
    var apiKeyCachePolicy: APIKeyCache.Policy {
        APIKeyCache.Policy(
            ttl: apiKeyTTL, unpushedTTL: apiKeyUnpushedTTL, negativeTTL: apiKeyNegativeTTL,
            staleIfError: apiKeyStaleIfError,
            capacity: apiKeyCacheCapacity, negativeCapacity: apiKeyCacheCapacity)
    }

    /// ``clientAddressHeader`` as a header name; nil when unset or not a valid name.
    var clientAddressField: HTTPField.Name? {
        clientAddressHeader.flatMap { HTTPField.Name($0) }
    }
}
