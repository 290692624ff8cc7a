import Foundation
import PlatformStore

/// Records a completed job's callback in the durable outbox; ``CallbackDeliveryService`` sends
/// it later, outside the pipeline.
///
/// Recording is one idempotent insert, so announcing a job again after a redelivery records
/// nothing new, and a slow or failing receiver never holds up the item that completed the job.
public struct CallbackNotifier: Sendable {
    private let outbox: CallbackOutbox

    /// Creates a notifier writing to `outbox`.
    public init(outbox: CallbackOutbox) {
        self.outbox = outbox
    }

    /// Records the callback of `jobID` (`body` is the completion event's JSON); returns false
    /// when it was already recorded.
    @discardableResult
    func enqueue(jobID: UUID, url: String, body: Data) async throws -> Bool {
        try await outbox.enqueue(jobID: jobID, url: url, body: String(decoding: body, as: UTF8.self))
    }
}
