/// A setting the gateway cannot start with; the message names the setting, never a secret.
public struct GatewayConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
