/// One Triton server the router may send traffic to.
public struct BackendDescriptor: Sendable, Hashable, Codable {
    /// A stable name, used in metrics, logs and admin output (e.g. `triton-a`).
    public var id: BackendID
    /// The server's KServe v2 HTTP base URL, e.g. `http://10.0.0.5:8000`.
    public var url: String
    /// Free-form labels (zone, GPU type) shown by the admin API.
    public var labels: [String: String]
    /// Weight for the weighted strategy. Default 1; 0 drains the backend.
    public var weight: Int
    /// The server's Prometheus endpoint (`http://10.0.0.5:8002/metrics`), read for the
    /// `least_queue` strategy; nil when not read.
    public var metricsURL: String?

    /// Creates a descriptor.
    public init(
        id: BackendID, url: String, labels: [String: String] = [:], weight: Int = 1, metricsURL: String? = nil
    ) {
        self.id = id
        self.url = url
        self.labels = labels
        self.weight = weight
        self.metricsURL = metricsURL
    }

    enum CodingKeys: String, CodingKey {
        case id = "name"
        case url, labels, weight
        case metricsURL = "metrics_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(BackendID.self, forKey: .id)
        url = try container.decode(String.self, forKey: .url)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels) ?? [:]
        weight = try container.decodeIfPresent(Int.self, forKey: .weight) ?? 1
        metricsURL = try container.decodeIfPresent(String.self, forKey: .metricsURL)
    }
}
