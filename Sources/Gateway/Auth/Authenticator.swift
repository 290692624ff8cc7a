import HTTPTypes
import InferenceProtocol
import Logging
import PlatformStore
import RateLimiting

/// Turns a request's credentials into a ``Principal``: an `x-api-key` (looked up by its SHA-256
/// digest in PostgreSQL on every request, so a revoked key stops working at once) or an
/// `Authorization: Bearer` JWT.
public struct Authenticator: Sendable {
    /// The `x-api-key` header.
    public static let apiKeyHeader = HTTPField.Name("x-api-key")!

    private let jwt: JWTVerifier
    private let apiKeys: APIKeyStore?

    /// Authenticates with `jwt`, and with `apiKeys` when a key store is configured.
    public init(jwt: JWTVerifier, apiKeys: APIKeyStore?) {
        self.jwt = jwt
        self.apiKeys = apiKeys
    }

    /// The principal of the request's credentials.
    ///
    /// - Throws: `unauthenticated` (401) when there are none or they are not valid,
    ///   `unavailable` (503) when the key store cannot be asked.
    public func authenticate(_ headers: HTTPFields, logger: Logger) async throws(InferenceError) -> Principal {
        if let key = headers[Self.apiKeyHeader] {
            return try await apiKeyPrincipal(key, logger: logger)
        }
        guard let authorization = headers[.authorization] else {
            throw .unauthenticated("credentials required: send an x-api-key header or an Authorization: Bearer token")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthenticated("the Authorization header must use the Bearer scheme")
        }
        return try await jwt.verify(parts[1].trimmingCharacters(in: .whitespaces))
    }

    private func apiKeyPrincipal(_ key: String, logger: Logger) async throws(InferenceError) -> Principal {
        guard let apiKeys else { throw .unauthenticated("API keys are not enabled on this gateway") }
        let found: APIKeyPrincipal?
        do {
            found = try await apiKeys.lookup(key)
        } catch {
            logger.error("gateway.auth.key_store_failed", metadata: [GatewayLogKey.error: "\(error)"])
            throw .unavailable("cannot check the API key right now", retryAfter: .seconds(1))
        }
        guard let found else { throw .unauthenticated("the API key is not valid or has been revoked") }
        return Principal(
            name: found.principal, method: .apiKey, scopes: Scope.parse(found.scopes),
            rateLimit: found.rateLimit.map { RateLimitPolicy(limit: $0, period: .seconds(1), burst: $0) })
    }
}
