import Foundation

/// The secrets the repository itself ships — the local stack's defaults in `config/stack.env`,
/// the placeholders of `.env.example`, `k8s/examples/` and `docs/` — in one list, and the one
/// start-up rule every service applies to them.
///
/// A deployment that copies an example file unchanged would otherwise run with a secret anyone
/// can read (for a JWT secret: accept tokens anyone can forge). Outside the local stack
/// (`PLATFORM_ENV=local`, set only by `make up`) a service refuses to start with one.
public enum ShippedSecrets {
    /// The `PLATFORM_ENV` (`platform.env`) value of the local stack, the one place shipped secrets
    /// are accepted.
    public static let localEnvironment = "local"

    /// Every secret value the repository ships, compared case-insensitively.
    static let known: Set<String> = [
        // config/stack.env: the local stack's defaults.
        "local-development-only-hs256-secret-0123456789",
        "inference",
        "local-access-key",
        "local-secret-key-for-development-only",
        // docs/operations.md: the placeholders of the Secret examples.
        "password", "key", "secret",
    ]

    /// Any value containing one of these is a placeholder.
    static let placeholderMarkers = ["change-me", "changeme", "change_me", "replace-me", "example"]

    /// Whether `value` is a secret shipped in the repository or an obvious placeholder.
    public static func isExample(_ value: String) -> Bool {
        let lowered = value.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return known.contains(lowered) || placeholderMarkers.contains { lowered.contains($0) }
    }

    /// Refuses to go on when any of `settings` (a description naming the setting, and its value)
    /// holds a shipped secret, unless `platformEnvironment` is ``localEnvironment``. Unset values
    /// are not checked here.
    ///
    /// - Throws: ``ShippedSecretError`` naming the settings, never their values.
    public static func refuse(
        _ settings: [(setting: String, value: String?)], platformEnvironment: String?
    ) throws(ShippedSecretError) {
        guard platformEnvironment != localEnvironment else { return }
        let offending = settings.compactMap { pair in
            pair.value.map(isExample) == true ? pair.setting : nil
        }
        guard offending.isEmpty else {
            throw ShippedSecretError(
                "refusing to start: \(offending.joined(separator: ", ")) is an example or local-development "
                    + "value shipped in the repository; set a secret of your own (e.g. openssl rand -base64 48), "
                    + "or PLATFORM_ENV=\(localEnvironment) on a local development stack")
        }
    }

    /// The password of a `scheme://user:password@host/…` URL, or of a libpq `key=value`
    /// string's `password=` pair; nil when there is none.
    public static func password(inConnectionString text: String) -> String? {
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

/// A shipped secret found outside the local stack; the message names settings, never values.
public struct ShippedSecretError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
