/// One model's queue on one Triton server, read from its Prometheus endpoint: the requests
/// waiting or running now, and the cumulative queue time and request counters (summed over the
/// model's versions).
public struct TritonQueueSample: Sendable, Hashable {
    /// `nv_inference_pending_request_count`: requests received and not yet answered.
    public var pending: Int
    /// `nv_inference_queue_duration_us`: microseconds requests spent queued, since start.
    public var queueMicroseconds: Double
    /// `nv_inference_request_success` + `nv_inference_request_failure`: requests answered.
    public var requests: Double

    /// Creates a sample.
    public init(pending: Int = 0, queueMicroseconds: Double = 0, requests: Double = 0) {
        self.pending = pending
        self.queueMicroseconds = queueMicroseconds
        self.requests = requests
    }

    /// Every model's sample in a Prometheus text exposition; lines of other metrics, comments and
    /// lines that do not parse are skipped.
    public static func parse(_ text: Substring) -> [String: TritonQueueSample] {
        var samples: [String: TritonQueueSample] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.first != "#" {
            guard let brace = line.firstIndex(of: "{"),
                let metric = Metric(rawValue: String(line[..<brace])),
                let close = line[brace...].firstIndex(of: "}"),
                let model = label("model", in: line[line.index(after: brace)..<close]),
                let value = Double(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)),
                value.isFinite, value >= 0
            else { continue }
            var sample = samples[model, default: TritonQueueSample()]
            switch metric {
            case .pending: sample.pending += Int(value)
            case .queueDuration: sample.queueMicroseconds += value
            case .success, .failure: sample.requests += value
            }
            samples[model] = sample
        }
        return samples
    }

    private enum Metric: String {
        case pending = "nv_inference_pending_request_count"
        case queueDuration = "nv_inference_queue_duration_us"
        case success = "nv_inference_request_success"
        case failure = "nv_inference_request_failure"
    }

    /// The value of `name="…"` among `labels` (Triton's label values hold no quotes).
    private static func label(_ name: String, in labels: Substring) -> String? {
        for pair in labels.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "="), pair[..<equals].trimmingCharacters(in: .whitespaces) == name
            else { continue }
            let value = pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard value.count >= 2, value.first == "\"", value.last == "\"" else { return nil }
            return String(value.dropFirst().dropLast())
        }
        return nil
    }
}
