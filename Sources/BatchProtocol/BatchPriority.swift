/// How soon a job's items run: `low`, `normal` (the default), `high`, `urgent`.
///
/// Each priority has its own requests topic (`normal` the base topic, the others the base name
/// with `.low`, `.high` or `.urgent` appended). The worker consumes all four and hands out their
/// messages by weight (urgent 8, high 4, normal 2, low 1, smooth weighted round-robin over the
/// topics holding messages): while a busier tier has work, a lighter one still gets its weight's
/// share, so `low` is slowed, never starved — it gets at least 1 of every 15 items the worker
/// starts.
public enum BatchPriority: String, Sendable, Hashable, CaseIterable, Codable {
    case low, normal, high, urgent

    /// The share each priority's topic gets of the items handed out.
    public var weight: Int {
        switch self {
        case .low: 1
        case .normal: 2
        case .high: 4
        case .urgent: 8
        }
    }

    /// The requests topic of this priority, given the base (normal) topic.
    public func topic(base: String) -> String {
        self == .normal ? base : "\(base).\(rawValue)"
    }

    /// Every requests topic and its weight, for the worker's consumer.
    public static func topicWeights(base: String) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.topic(base: base), $0.weight) })
    }

    /// Reads a priority name; the error names the accepted values.
    public static func parse(_ text: String) throws(BatchWorkerError) -> BatchPriority {
        guard let priority = BatchPriority(rawValue: text) else {
            throw .invalidSubmission("priority must be one of low, normal, high, urgent")
        }
        return priority
    }
}
