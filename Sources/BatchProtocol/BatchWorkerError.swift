/// A failure of the batch pipeline that is not a dependency's own error: a message that cannot be
/// read, an item the model rejects, a submission that is invalid.
///
/// ``description`` says what is wrong with the item or submission; it never contains tensor data,
/// credentials or SQL.
public struct BatchWorkerError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case malformedMessage = "malformed_message"
        case invalidItem = "invalid_item"
        case rejectedByModel = "rejected_by_model"
        case invalidSubmission = "invalid_submission"
        case publishFailed = "publish_failed"
        case attemptsExhausted = "attempts_exhausted"
        case unstorableData = "unstorable_data"
        case unreadableResults = "unreadable_results"
        case expired
    }

    private let code: Code
    /// What is wrong, safe to store as an item's error and to return to a client.
    public let reason: String

    private init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A short, label-safe name for metrics and the dead-letter record (`malformed_message`, …).
    public var name: String { code.rawValue }

    public var description: String { "\(code.rawValue): \(reason)" }

    /// A Kafka message whose value is not a batch item (not JSON, a required field missing).
    public static func malformedMessage(_ reason: String) -> Self { Self(.malformedMessage, reason) }

    /// An item that can never be run as it is (bad input tensors, an unusable item id).
    public static func invalidItem(_ reason: String) -> Self { Self(.invalidItem, reason) }

    /// The model (or the router in front of it) answered the item with a client error.
    public static func rejectedByModel(_ reason: String) -> Self { Self(.rejectedByModel, reason) }

    /// A batch submission that cannot be accepted.
    public static func invalidSubmission(_ reason: String) -> Self { Self(.invalidSubmission, reason) }

    /// The items of a submission could not all be published to Kafka.
    public static func publishFailed(_ reason: String) -> Self { Self(.publishFailed, reason) }

    /// An item whose step kept failing while the dependency behind it answered its health check:
    /// its attempt budget is spent and it is failed instead of retried.
    public static func attemptsExhausted(_ reason: String) -> Self { Self(.attemptsExhausted, reason) }

    /// PostgreSQL refused the item's data (SQLSTATE class 22 or 23): storing it again cannot work.
    public static func unstorableData(_ reason: String) -> Self { Self(.unstorableData, reason) }

    /// A finished job's rows point at output bytes its shards do not hold.
    public static func unreadableResults(_ reason: String) -> Self { Self(.unreadableResults, reason) }

    /// The item's job's completion window ended before the item ran (or while it waited for an
    /// outage to end).
    public static func expired(_ reason: String) -> Self { Self(.expired, reason) }

    /// True for ``invalidSubmission(_:)``.
    public var isInvalidSubmission: Bool { code == .invalidSubmission }
}
