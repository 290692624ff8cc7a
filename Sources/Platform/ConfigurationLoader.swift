import Configuration
import Foundation
import SystemPackage

/// Builds the process's configuration reader: environment variables over an optional YAML file.
///
/// Keys are dotted (`router.listen.port`); the environment overrides any key by its upper-snake
/// name (`ROUTER_LISTEN_PORT`).
public enum ConfigurationLoader {
    /// A reader over the environment and, when `filePath` is given, that YAML file.
    ///
    /// Throws when the file is named but missing or malformed, so a typo never runs on defaults.
    public static func reader(
        filePath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> ConfigReader {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if let filePath {
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
        }
        return ConfigReader(providers: providers)
    }
}
