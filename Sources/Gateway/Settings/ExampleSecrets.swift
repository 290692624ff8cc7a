import Foundation
import Platform

/// The gateway's part of the shipped-secret rule (``ShippedSecrets``): which of its settings are
/// secrets.
public enum ExampleSecrets {
    /// Refuses settings that carry a shipped secret unless `PLATFORM_ENV` is `local`: the JWT
    /// HS256 secret and the passwords in the Redis and PostgreSQL URLs.
    ///
    /// - Throws: ``GatewayConfigurationError`` naming the setting (never its value).
    public static func check(_ settings: GatewaySettings) throws {
        do {
            try ShippedSecrets.refuse(
                [
                    ("gateway.auth.jwt.hs256_secret (JWT_HS256_SECRET)", settings.jwt.hs256Secret),
                    (
                        "the password in gateway.redis.url (REDIS_URL)",
                        settings.redisURL.flatMap(ShippedSecrets.password(inConnectionString:))
                    ),
                    (
                        "the password in gateway.postgres.url (POSTGRES_URL)",
                        settings.postgresURL.flatMap(ShippedSecrets.password(inConnectionString:))
                    ),
                ],
                platformEnvironment: settings.platformEnvironment)
        } catch {
            throw GatewayConfigurationError(error.description)
        }
    }
}
