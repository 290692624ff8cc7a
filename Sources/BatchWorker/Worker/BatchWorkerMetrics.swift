import Metrics
import PlatformStore

/// The worker's metrics: items by outcome, batch sizes, inference latency, retries, pauses.
///
/// Labelled by model and outcome only, never by job or item.
struct BatchWorkerMetrics: Sendable {
    private let receivedCounter = Counter(label: "batch_messages_received_total")
    private let pausedGauge = Gauge(label: "batch_consumer_paused")
    private let jobsCompleted = Counter(label: "batch_jobs_completed_total")

    func received() { receivedCounter.increment() }

    func setPaused(_ paused: Bool) { pausedGauge.record(paused ? 1 : 0) }

    func retried(_ operation: String) {
        Counter(label: "batch_dependency_retries_total", dimensions: [("operation", operation)]).increment()
    }

    func inferred(batchSize: Int, model: String, latency: Duration) {
        Recorder(label: "batch_inference_batch_size", dimensions: [("model", model)]).record(batchSize)
        Timer(label: "batch_inference_duration_seconds", dimensions: [("model", model)]).recordNanoseconds(
            Int64(latency.components.seconds) * 1_000_000_000 + latency.components.attoseconds / 1_000_000_000)
    }

    func finished(model: String, status: BatchItemStatus, counted: Bool) {
        let outcome = counted ? status.rawValue : "duplicate"
        Counter(label: "batch_items_total", dimensions: [("model", model), ("outcome", outcome)]).increment()
    }

    func jobCompleted() { jobsCompleted.increment() }
}
