import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

extension Observability {
    /// The environment variables that turn tracing on: an OTLP endpoint for all signals or for traces.
    static let otlpEndpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]

    /// Bootstraps distributed tracing for the process when an OTLP endpoint is configured
    /// (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; OTLP/HTTP protobuf,
    /// W3C trace context), and returns the exporter's service to run beside the application.
    /// Without an endpoint tracing stays off (a no-op tracer) and nil is returned.
    ///
    /// Only traces go to OTLP: metrics stay on `/metrics` and logs on standard error. The other
    /// `OTEL_*` variables apply (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, …).
    public static func bootstrapTracing(
        serviceName: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (any Service)? {
        guard otlpEndpointVariables.contains(where: { !(environment[$0] ?? "").isEmpty }) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        return backend.service
    }

    /// Adds the current span's `trace_id` and `span_id` to every log line written inside it.
    static let traceMetadataProvider: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()
}
