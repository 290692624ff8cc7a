import Tracing

/// W3C trace context (`traceparent`, `tracestate`) on headers held as name/value pairs: HTTP
/// requests to an upstream, gRPC metadata, Kafka message headers.
///
/// With no tracer installed (tracing off) nothing is injected, so a client's own trace headers
/// pass through unchanged.
public enum TraceContext {
    /// The W3C trace context header names.
    public static let headerNames = ["traceparent", "tracestate"]

    /// Whether a tracer is installed (an OTLP endpoint was configured).
    public static var isEnabled: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

    /// Runs `body` in a span named `name` (a child of the current one) when tracing is on, else
    /// runs it as it is with no span.
    public static func traced<Value>(
        _ name: String, ofKind kind: SpanKind = .internal, _ body: ((any Span)?) async throws -> Value
    ) async rethrows -> Value {
        guard isEnabled else { return try await body(nil) }
        return try await withSpan(name, ofKind: kind) { span in try await body(span) }
    }

    /// Writes the current span's context into `headers`, replacing trace headers already there.
    public static func inject(into headers: inout [(name: String, value: String)]) {
        guard isEnabled, let context = ServiceContext.current else { return }
        var injected: [(name: String, value: String)] = []
        InstrumentationSystem.instrument.inject(context, into: &injected, using: PairsInjector())
        guard !injected.isEmpty else { return }
        headers.removeAll { header in headerNames.contains { header.name.isSameHeaderName(as: $0) } }
        headers.append(contentsOf: injected)
    }

    /// The context the trace headers in `headers` carry (none: a new trace starts at the span).
    public static func extract(from headers: [(name: String, value: String)]) -> ServiceContext {
        var context = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: PairsExtractor())
        return context
    }
}

private struct PairsInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(name: String, value: String)]) {
        carrier.append((name: key, value: value))
    }
}

private struct PairsExtractor: Extractor {
    func extract(key: String, from carrier: [(name: String, value: String)]) -> String? {
        carrier.first { $0.name.isSameHeaderName(as: key) }?.value
    }
}
