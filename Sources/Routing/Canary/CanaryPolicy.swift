/// An SLO-guarded rollout of one model version over another: the canary's share of traffic
/// steps up while it holds the SLO over each evaluation window, and drops to 0 on a breach.
public struct CanaryPolicy: Sendable, Hashable, Codable {
    /// The version traffic comes from.
    public var stable: String
    /// The version being rolled out.
    public var canary: String
    /// The canary's percentage of traffic at each step, increasing, ending at 100
    /// (e.g. 5, 25, 50, 100).
    public var steps: [Int]
    /// How long each step is watched before the next, in milliseconds.
    public var windowMilliseconds: Int
    /// The canary requests a window needs before it is judged (a quieter window is extended).
    public var minimumRequests: Int
    /// The largest share of canary requests that may fail (5xx or no answer), 0–1.
    public var maximumErrorRate: Double
    /// The largest canary p99 latency as a multiple of the stable version's in the same window;
    /// nil does not compare latency.
    public var maximumP99Ratio: Double?

    /// Creates a policy.
    public init(
        stable: String, canary: String, steps: [Int] = [5, 25, 50, 100], windowMilliseconds: Int = 60_000,
        minimumRequests: Int = 100, maximumErrorRate: Double = 0.01, maximumP99Ratio: Double? = 1.5
    ) {
        self.stable = stable
        self.canary = canary
        self.steps = steps
        self.windowMilliseconds = windowMilliseconds
        self.minimumRequests = minimumRequests
        self.maximumErrorRate = maximumErrorRate
        self.maximumP99Ratio = maximumP99Ratio
    }

    private enum CodingKeys: String, CodingKey {
        case stable, canary, steps
        case windowMilliseconds = "window_ms"
        case minimumRequests = "min_requests"
        case maximumErrorRate = "max_error_rate"
        case maximumP99Ratio = "max_p99_ratio"
    }

    /// Decodes a policy; everything but `stable` and `canary` has a default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stable = try container.decode(String.self, forKey: .stable)
        canary = try container.decode(String.self, forKey: .canary)
        steps = try container.decodeIfPresent([Int].self, forKey: .steps) ?? [5, 25, 50, 100]
        windowMilliseconds = try container.decodeIfPresent(Int.self, forKey: .windowMilliseconds) ?? 60_000
        minimumRequests = try container.decodeIfPresent(Int.self, forKey: .minimumRequests) ?? 100
        maximumErrorRate = try container.decodeIfPresent(Double.self, forKey: .maximumErrorRate) ?? 0.01
        maximumP99Ratio = try container.decodeIfPresent(Double.self, forKey: .maximumP99Ratio)
    }

    /// The first problem with the numbers, or nil.
    var problem: String? {
        guard stable != canary else { return "the stable and canary versions are the same" }
        guard let last = steps.last, last == 100, steps.allSatisfy({ (1...100).contains($0) }),
            zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 })
        else { return "steps must increase within 1...100 and end at 100" }
        guard (100...86_400_000).contains(windowMilliseconds) else { return "window_ms must be from 100 to 86400000" }
        guard minimumRequests >= 1 else { return "min_requests must be at least 1" }
        guard (0...1).contains(maximumErrorRate) else { return "max_error_rate must be from 0 to 1" }
        if let ratio = maximumP99Ratio, !(ratio >= 1) { return "max_p99_ratio must be at least 1" }
        return nil
    }
}
