import Metrics
import PlatformStore

/// The worker's metrics: items by outcome, batch sizes, inference latency, retries, pauses,
/// items whose attempt budget ran out.
///
/// Labelled by model and outcome only, never by job or item; the model label is a name from
/// ``KnownModels`` (a model the router described) or `other`, never a producer's raw string.
struct BatchWorkerMetrics: Sendable {
    private let receivedCounter = Counter(label: "batch_messages_received_total")
    private let pausedGauge = Gauge(label: "batch_consumer_paused")
    private let jobsCompleted = Counter(label: "batch_jobs_completed_total")
    let models: KnownModels

    func received() { receivedCounter.increment() }

    func setPaused(_ paused: Bool) { pausedGauge.record(paused ? 1 : 0) }

    func retried(_ operation: String) {
        Counter(label: "batch_dependency_retries_total", dimensions: [("operation", operation)]).increment()
    }

    func inferred(batchSize: Int, model: String, latency: Duration) {
        let label = models.label(model)
        Recorder(label: "batch_inference_batch_size", dimensions: [("model", label)]).record(batchSize)
        Timer(label: "batch_inference_duration_seconds", dimensions: [("model", label)]).recordNanoseconds(
            Int64(latency.components.seconds) * 1_000_000_000 + latency.components.attoseconds / 1_000_000_000)
    }

    func finished(model: String, status: BatchItemStatus, counted: Bool) {
        let outcome = counted ? status.rawValue : "duplicate"
        Counter(label: "batch_items_total", dimensions: [("model", models.label(model)), ("outcome", outcome)])
            .increment()
    }

    /// An item failed because a step spent its attempt budget while the dependency was up.
    func exhausted(model: String?) {
        Counter(
            label: "batch_items_attempts_exhausted_total",
            dimensions: [("model", model.map(models.label) ?? KnownModels.otherLabel)]
        ).increment()
    }

    func jobCompleted() { jobsCompleted.increment() }
}
