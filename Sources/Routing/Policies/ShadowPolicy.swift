/// Mirrors a share of a route's inference to a shadow version or backends. The client only ever
/// gets the primary's answer, at the primary's pace: shadow calls start once it has answered,
/// run off the request's path, and are dropped (not queued) when `maxConcurrent` are in flight.
public struct ShadowPolicy: Sendable, Hashable, Codable {
    /// The share of inference requests mirrored, 0–100.
    public var percent: Double
    /// The version the shadow calls name; nil keeps the primary's.
    public var version: String?
    /// The backends the shadow calls go to; nil is every backend.
    public var backends: [BackendID]?
    /// The most shadow calls in flight at once (per router). Default 8.
    public var maxConcurrent: Int

    /// Creates a policy.
    public init(percent: Double, version: String? = nil, backends: [BackendID]? = nil, maxConcurrent: Int = 8) {
        self.percent = percent
        self.version = version
        self.backends = backends
        self.maxConcurrent = maxConcurrent
    }

    private enum CodingKeys: String, CodingKey {
        case percent, version, backends
        case maxConcurrent = "max_concurrent"
    }

    /// Decodes a policy; `percent` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        percent = try container.decode(Double.self, forKey: .percent)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        backends = try container.decodeIfPresent([BackendID].self, forKey: .backends)
        maxConcurrent = try container.decodeIfPresent(Int.self, forKey: .maxConcurrent) ?? 8
    }

    /// Whether the numbers are usable.
    var isValid: Bool {
        (0...100).contains(percent) && (1...1024).contains(maxConcurrent) && backends?.isEmpty != true
    }

    /// The target shadow calls use.
    var target: RouteTarget { RouteTarget(version: version, weight: 1, backends: backends) }
}
