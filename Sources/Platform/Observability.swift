import Foundation
import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics bootstrap, done once at start by each executable.
public enum Observability {
    /// The log output format.
    public enum LogFormat: String, Sendable {
        /// One JSON object per line (production).
        case json
        /// swift-log's human-readable stream format (local development).
        case text
    }

    /// Bootstraps swift-log with `format` at `level` for every logger of the process; lines
    /// written inside a traced span carry its `trace_id` and `span_id`.
    public static func bootstrapLogging(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .json:
                    return JSONLogHandler(label: label, logLevel: level, metadataProvider: provider)
                case .text:
                    var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }
            }, metadataProvider: traceMetadataProvider)
    }

    /// Bootstraps swift-metrics with a Prometheus registry and returns it for `/metrics`.
    ///
    /// Durations are exported in seconds with latency buckets from 1 ms to 30 s.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(makeMetricsFactory(registry: registry))
        return registry
    }

    /// The Prometheus factory the platform uses; separate so tests can use a private registry.
    public static func makeMetricsFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        ]
        return factory
    }
}
