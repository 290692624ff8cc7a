import Configuration
import Logging
import Prometheus
import ServiceLifecycle

/// What every executable of the platform does first: read its configuration, then bootstrap
/// logging (`log.format` json|text, `log.level`), Prometheus metrics and, when an OTLP endpoint is
/// set, tracing once for the process.
public struct ProcessBootstrap: Sendable {
    /// The configuration: environment over the YAML file.
    public let config: ConfigReader
    /// The registry to serve at `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// The process's main logger.
    public let logger: Logger
    /// The trace exporter to run with the process's services; nil when tracing is off.
    public let tracing: (any Service)?

    /// Reads `configFile` (nil: environment only) and bootstraps logging and metrics.
    public static func start(configFile: String?, label: String) async throws -> ProcessBootstrap {
        let reader = try await ConfigurationLoader.reader(filePath: configFile)
        let format = Observability.LogFormat(rawValue: reader.string(forKey: "log.format", default: "json")) ?? .json
        let level = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info")) ?? .info
        Observability.bootstrapLogging(format: format, level: level)
        let tracing = try Observability.bootstrapTracing(serviceName: label)
        return ProcessBootstrap(
            config: reader, registry: Observability.bootstrapMetrics(), logger: Logger(label: label), tracing: tracing)
    }
}
