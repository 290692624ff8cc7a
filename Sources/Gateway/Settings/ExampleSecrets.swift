import Foundation

/// The secrets the repository itself ships — placeholders in `.env.example`, the local stack's
/// defaults in `config/stack.env`, the examples in `docs/` — in one list, and the start-up check
/// that refuses them outside the local stack.
///
/// A deployment that copies an example file unchanged would otherwise run with a secret anyone
/// can read (and, for the JWT secret, accept tokens anyone can forge).
public enum ExampleSecrets {
    /// The `PLATFORM_ENV` value under which shipped secrets are allowed: the local stack.
    public static let localEnvironment = "local"

    /// Every secret value the repository ships, compared case-insensitively. Any value containing
    /// `change-me` / `changeme` / `change_me` is a placeholder as well.
    public static let known: Set<String> = [
        // config/stack.env: the local stack's defaults.
        "local-development-only-hs256-secret-0123456789",
        "inference",
        "local-access-key",
        "local-secret-key-for-development-only",
        // docs/operations.md: the placeholders of the Secret examples.
        "password", "key", "secret",
    ]

    private static let placeholderMarkers = ["change-me", "changeme", "change_me"]

    /// Whether `value` is a secret shipped in the repository or an obvious placeholder.
    public static func isExample(_ value: String) -> Bool {
        let lowered = value.trimmingCharacters(in: .whitespaces).lowercased()
        return known.contains(lowered) || placeholderMarkers.contains { lowered.contains($0) }
    }

    /// Refuses settings that carry a shipped secret unless `PLATFORM_ENV` is `local`: the JWT
    /// HS256 secret and the passwords in the Redis and PostgreSQL URLs.
    ///
    /// - Throws: ``GatewayConfigurationError`` naming the setting (never its value).
    public static func check(_ settings: GatewaySettings) throws {
        guard settings.platformEnvironment != localEnvironment else { return }
        var offending: [String] = []
        if let secret = settings.jwt.hs256Secret, isExample(secret) {
            offending.append("gateway.auth.jwt.hs256_secret (JWT_HS256_SECRET)")
        }
        if let password = settings.redisURL.flatMap(password(inConnectionString:)), isExample(password) {
            offending.append("the password in gateway.redis.url (REDIS_URL)")
        }
        if let password = settings.postgresURL.flatMap(password(inConnectionString:)), isExample(password) {
            offending.append("the password in gateway.postgres.url (POSTGRES_URL)")
        }
        guard offending.isEmpty else {
            throw GatewayConfigurationError(
                "refusing to start: \(offending.joined(separator: ", ")) is an example or local-development "
                    + "value shipped in the repository; set a secret of your own (e.g. openssl rand -base64 48), "
                    + "or PLATFORM_ENV=\(localEnvironment) on a local development stack")
        }
    }

    /// The password of a `scheme://user:password@host/…` URL, or of a libpq `key=value`
    /// string's `password=` pair; nil when there is none.
    static func password(inConnectionString text: String) -> String? {
        if text.contains("://") {
            guard let password = URLComponents(string: text)?.password, !password.isEmpty else { return nil }
            return password.removingPercentEncoding ?? password
        }
        for pair in text.split(separator: " ") where pair.hasPrefix("password=") {
            let value = pair.dropFirst("password=".count).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
