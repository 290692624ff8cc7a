import Configuration
import Logging
import Prometheus

/// What every executable of the platform does first: read its configuration, then bootstrap
/// logging (`log.format` json|text, `log.level`) and Prometheus metrics once for the process.
public struct ProcessBootstrap: Sendable {
    /// The configuration: environment over the YAML file.
    public let config: ConfigReader
    /// The registry to serve at `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// The process's main logger.
    public let logger: Logger

    /// Reads `configFile` (nil: environment only) and bootstraps logging and metrics.
    public static func start(configFile: String?, label: String) async throws -> ProcessBootstrap {
        let reader = try await ConfigurationLoader.reader(filePath: configFile)
        let format = Observability.LogFormat(rawValue: reader.string(forKey: "log.format", default: "json")) ?? .json
        let level = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info")) ?? .info
        Observability.bootstrapLogging(format: format, level: level)
        return ProcessBootstrap(
            config: reader, registry: Observability.bootstrapMetrics(), logger: Logger(label: label))
    }
}
