import Foundation
import PostgresClient

/// Where a job's callback is: `pending → delivered | failed`.
public enum CallbackState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its first attempt or for a retry.
    case pending
    /// The receiver answered 2xx.
    case delivered
    /// Given up: refused by the address fence, a final answer, or the attempt budget spent.
    case failed
}

/// A job's callback as the outbox records it, for status answers.
public struct CallbackDelivery: Sendable, Hashable {
    /// The job the callback belongs to.
    public var jobID: UUID
    /// The current state.
    public var state: CallbackState
    /// Attempts started so far.
    public var attempts: Int
    /// Why the last attempt did not deliver it (no secrets, no response bodies).
    public var lastError: String?
    /// When a pending callback is next tried.
    public var nextAttemptAt: Date
    /// When it was delivered or given up.
    public var finishedAt: Date?

    static let columns = "job_id, status, attempts, last_error, next_attempt_at, finished_at"

    init(row: PostgresRow) throws {
        jobID = try row.decode("job_id")
        let text: String = try row.decode("status")
        guard let state = CallbackState(rawValue: text) else {
            throw PlatformStoreError.invalidArgument("unknown callback state in the database")
        }
        self.state = state
        attempts = try row.decode("attempts")
        lastError = try row.decode("last_error")
        nextAttemptAt = try row.decode("next_attempt_at")
        finishedAt = try row.decode("finished_at")
    }
}

/// One callback claimed for one delivery attempt by ``CallbackOutbox/claim(limit:lease:)``.
///
/// Report the attempt's end with ``CallbackOutbox/finish(_:as:)``; a claim that is never
/// finished becomes due again when its lease ends.
public struct CallbackClaim: Sendable, Hashable {
    /// The job the callback belongs to.
    public var jobID: UUID
    /// Where it goes, as the job gave it (not yet checked).
    public var url: String
    /// The JSON body to post.
    public var body: String
    /// This attempt's number, from 1.
    public var attempt: Int
    /// Identifies this claim, so a claim whose lease ran out cannot overwrite a newer one.
    public var token: UUID
}

/// How an attempt ended, for ``CallbackOutbox/finish(_:as:)``.
public enum CallbackAttemptResult: Sendable, Hashable {
    /// The receiver answered 2xx.
    case delivered
    /// Try again after `delay`; `error` says what went wrong.
    case retry(after: Duration, error: String)
    /// Give up for good.
    case failed(error: String)
}
