import Metrics
import Prometheus
import Testing

@testable import Platform

@Suite("Prometheus metrics")
struct ObservabilityTests {
    @Test("timers export as second-based histograms with the platform's buckets")
    func histogramBuckets() {
        let registry = PrometheusCollectorRegistry()
        let factory = Observability.makeMetricsFactory(registry: registry)
        let timer = Timer(label: "upstream_duration", dimensions: [("backend", "a")], factory: factory)
        timer.recordMilliseconds(30)
        let text = registry.emitToString()
        #expect(text.contains("upstream_duration_bucket{backend=\"a\",le=\"0.05\"} 1"))
        #expect(text.contains("upstream_duration_bucket{backend=\"a\",le=\"0.025\"} 0"))
        #expect(text.contains("upstream_duration_count{backend=\"a\"} 1"))
    }
}
