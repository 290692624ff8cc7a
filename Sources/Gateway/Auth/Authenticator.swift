import HTTPTypes
import InferenceProtocol
import Logging
import PlatformStore
import PostgresClient
import RateLimiting
import Tracing

/// Turns a request's credentials into a ``Principal``: an API key in `x-api-key` or as an
/// `Authorization: Bearer` token starting with the keys' marker (looked up by its SHA-256 digest
/// in PostgreSQL, through a short-lived cache), or an `Authorization: Bearer` JWT.
///
/// Failed authentications with credentials are charged to the client's address (see
/// ``AuthFailureLimiter``);
/// past its allowance the client gets 429 with `Retry-After` instead of 401, and its unknown
/// API keys are refused without a PostgreSQL query.
struct Authenticator: Sendable {
    /// The `x-api-key` header.
    static let apiKeyHeader = HTTPField.Name("x-api-key")!

    private let jwt: JWTVerifier
    private let apiKeys: CachingAPIKeyStore?
    private let failures: AuthFailureLimiter?

    /// Authenticates with `jwt`, with `apiKeys` when a key store is configured, charging
    /// failures to `failures` when given.
    init(jwt: JWTVerifier, apiKeys: CachingAPIKeyStore?, failures: AuthFailureLimiter?) {
        self.jwt = jwt
        self.apiKeys = apiKeys
        self.failures = failures
    }

    /// The principal of the request's credentials, sent from address `client`.
    ///
    /// - Throws: `unauthenticated` (401) when there are none or they are not valid,
    ///   `rateLimited` (429) when `client` has failed too often, `unavailable` (503) when the key
    ///   store cannot be asked.
    func authenticate(_ headers: HTTPFields, client: String, logger: Logger) async throws(InferenceError) -> Principal {
        guard TraceContext.isEnabled else { return try await checkCredentials(headers, client: client, logger: logger) }
        do {
            return try await withSpan("gateway.authenticate") { span in
                let principal = try await checkCredentials(headers, client: client, logger: logger)
                span.attributes[SpanKeys.principal] = principal.name
                return principal
            }
        } catch let error as InferenceError {
            throw error
        } catch {
            throw .internal("authentication failed unexpectedly")
        }
    }

    private func checkCredentials(_ headers: HTTPFields, client: String, logger: Logger) async throws(InferenceError)
        -> Principal
    {
        do {
            return try await principal(headers, client: client, logger: logger)
        } catch let error where error.code == .unauthenticated {
            // Only presented credentials count: a request without any costs nothing to refuse.
            let presented = headers[Self.apiKeyHeader] != nil || headers[.authorization] != nil
            guard let failures, presented else { throw error }
            let wait: Duration?
            do {
                wait = try await failures.recordFailure(client: client)
            } catch {
                throw .unavailable("the request was cancelled")
            }
            guard let wait else { throw error }
            throw Self.tooManyFailures(wait)
        }
    }

    private func principal(_ headers: HTTPFields, client: String, logger: Logger) async throws(InferenceError)
        -> Principal
    {
        if let key = headers[Self.apiKeyHeader] {
            return try await apiKeyPrincipal(key, client: client, logger: logger)
        }
        guard let authorization = headers[.authorization] else {
            throw .unauthenticated("credentials required: send an x-api-key header or an Authorization: Bearer token")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthenticated("the Authorization header must use the Bearer scheme")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        // Clients written for bearer-only APIs (the OpenAI SDK) send an API key this way.
        if token.hasPrefix(NewAPIKey.marker) {
            return try await apiKeyPrincipal(token, client: client, logger: logger)
        }
        return try await jwt.verify(token)
    }

    private func apiKeyPrincipal(_ key: String, client: String, logger: Logger) async throws(InferenceError)
        -> Principal
    {
        guard let apiKeys else { throw .unauthenticated("API keys are not enabled on this gateway") }
        guard APIKeyStore.isWellFormed(key) else { throw Self.invalidKey }
        var outcome = apiKeys.cachedOutcome(key)
        if outcome == nil {
            // Only a lookup costs PostgreSQL a query: a blocked address gets none.
            if let wait = failures?.retryAfter(client: client) { throw Self.tooManyFailures(wait) }
            do {
                outcome = try await apiKeys.query(key)
            } catch let error as PostgresError where error.code == .timeout {
                logger.error("gateway.auth.key_store_timeout", metadata: [GatewayLogKey.error: "\(error)"])
                throw .unavailable("the API key store did not answer in time; retry later", retryAfter: .seconds(1))
            } catch {
                logger.error("gateway.auth.key_store_failed", metadata: [GatewayLogKey.error: "\(error)"])
                throw .unavailable("cannot check the API key right now; retry later", retryAfter: .seconds(1))
            }
        }
        guard case .valid(let found) = outcome else { throw Self.invalidKey }
        return Principal(
            name: found.principal, method: .apiKey, scopes: Scope.parse(found.scopes),
            rateLimit: found.rateLimit.map { RateLimitPolicy(limit: $0, period: .seconds(1), burst: $0) })
    }

    private static let invalidKey = InferenceError.unauthenticated("the API key is not valid or has been revoked")

    private static func tooManyFailures(_ wait: Duration) -> InferenceError {
        .rateLimited(message: "too many failed authentications from this address; retry later", retryAfter: wait)
    }
}
