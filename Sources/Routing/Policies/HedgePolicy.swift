/// When a route hedges inference: a second attempt to another backend once the first has taken
/// longer than the route's observed latency percentile; the first answer wins and the other
/// attempt is cancelled. Hedges are paid from the retry budget.
public struct HedgePolicy: Sendable, Hashable, Codable {
    /// The percentile of the route's recent successful attempt latencies after which to hedge
    /// (0.5–0.999). Default 0.95.
    public var percentile: Double
    /// The shortest wait before a hedge, in milliseconds. Default 1.
    public var minimumDelayMilliseconds: Int

    /// Creates a policy.
    public init(percentile: Double = 0.95, minimumDelayMilliseconds: Int = 1) {
        self.percentile = percentile
        self.minimumDelayMilliseconds = minimumDelayMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case percentile
        case minimumDelayMilliseconds = "min_delay_ms"
    }

    /// Decodes a policy; missing fields take the defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        percentile = try container.decodeIfPresent(Double.self, forKey: .percentile) ?? 0.95
        minimumDelayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .minimumDelayMilliseconds) ?? 1
    }

    /// Whether the numbers are usable.
    var isValid: Bool { (0.5...0.999).contains(percentile) && (0...60_000).contains(minimumDelayMilliseconds) }
}
