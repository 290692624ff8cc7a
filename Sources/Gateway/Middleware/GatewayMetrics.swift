import Metrics
import Synchronization

/// The gateway's RED series, labelled by route template, method, status and model (never by raw
/// path, principal or request id):
///
/// - `gateway_requests_total{route, method, status, model}`
/// - `gateway_request_errors_total{route, method, status, model}`: answers with status >= 500
/// - `gateway_request_duration_seconds{route, method, model}`
///
/// `model` is the model's name only when the upstream knows it, `other` for names it does not
/// know, and empty on routes without a model, so clients cannot grow the label set.
public final class GatewayMetrics: Sendable {
    private struct SeriesKey: Hashable {
        var route: String
        var method: String
        var status: Int
        var model: String
    }

    private struct Series {
        var requests: Counter
        var errors: Counter
        var duration: Timer
    }

    private let factory: any MetricsFactory
    private let series = Mutex<[SeriesKey: Series]>([:])

    /// Series created through `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Records one answered request.
    func record(route: String, method: String, status: Int, model: String, duration: Duration) {
        let key = SeriesKey(route: route, method: method, status: status, model: model)
        let entry = series.withLock { series in
            if let existing = series[key] { return existing }
            let labels = [("route", route), ("method", method), ("status", String(status)), ("model", model)]
            let created = Series(
                requests: Counter(label: "gateway_requests_total", dimensions: labels, factory: factory),
                errors: Counter(label: "gateway_request_errors_total", dimensions: labels, factory: factory),
                duration: Timer(
                    label: "gateway_request_duration_seconds",
                    dimensions: [("route", route), ("method", method), ("model", model)], factory: factory))
            series[key] = created
            return created
        }
        entry.requests.increment()
        if status >= 500 { entry.errors.increment() }
        let (seconds, attoseconds) = duration.components
        entry.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
