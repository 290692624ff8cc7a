import BatchProtocol
import Foundation
import PlatformStore

/// Charges a submission before a chunk of its items is published: called with the owner's
/// principal id and the number of items; throws (e.g. `InferenceError.rateLimited`) to refuse.
public typealias BatchAdmission = @Sendable (_ owner: String, _ items: Int) async throws -> Void

/// A batch job whose items arrive one by one (a streamed upload): each item is validated,
/// admitted and published in chunks as it comes, so memory holds two chunks, not the job: one
/// chunk's publishing (waiting for Kafka's acknowledgements) overlaps the next one's validation.
///
/// The job's row is created with the first admitted chunk, with an unknown total; ``finish()``
/// sets the total before the last item is published (one admitted item is always held back until
/// then), so the worker can complete the job however fast it runs. A submission refused part-way
/// is ``abandon(reason:)``ed: its job becomes `cancelled` and the published items are skipped.
public struct BatchIntake: Sendable {
    /// The job's id, fixed before any item is published.
    public let jobID: UUID
    private let submitter: BatchSubmitter
    private let submission: BatchSubmission
    private let owner: String?
    private let admit: BatchAdmission?
    private var pending: [[UInt8]] = []
    /// The last admitted message, published only once the job's total is known.
    private var held: [UInt8]?
    private var seen: Set<String> = []
    private var admitted = 0
    private var created = false
    /// The chunk being published while the next one fills; awaited before the next publish.
    private var publishing: Task<Void, any Error>?

    /// Items published or held: admitted and part of the job.
    public var accepted: Int { admitted }

    /// Every item added so far, admitted or not.
    public var count: Int { admitted + pending.count }

    init(submitter: BatchSubmitter, header: BatchSubmission, owner: String?, admit: BatchAdmission?) {
        self.jobID = UUID()
        self.submitter = submitter
        self.submission = header
        self.owner = owner
        self.admit = admit
    }

    /// Validates `item` and queues it; publishes a chunk when one is full.
    ///
    /// - Parameter label: where the item came from (`line 12`, `items[3]`), first in every error.
    /// - Throws: ``BatchWorkerError`` `invalidSubmission` for a bad item, ``BatchAdmissionRefusal``
    ///   when the admission hook refuses a chunk, `publishFailed` when Kafka does not take it.
    public mutating func add(_ item: BatchSubmission.Item, label: String) async throws {
        guard count < submitter.maxItems else {
            throw BatchWorkerError.invalidSubmission("\(label): a batch may have at most \(submitter.maxItems) items")
        }
        guard seen.insert(item.id).inserted else {
            throw BatchWorkerError.invalidSubmission(
                "\(label): item id '\(String(item.id.prefix(64)))' appears more than once")
        }
        let message = BatchItemMessage(
            jobID: jobID, itemID: item.id, model: item.model ?? submission.model,
            version: item.model == nil ? submission.version : item.version,
            request: item.request, outputPrefix: submission.outputPrefix, position: count)
        do {
            try message.validate()
            pending.append(try message.encoded())
        } catch let error as BatchWorkerError {
            throw BatchWorkerError.invalidSubmission("\(label): \(error.reason)")
        } catch {
            throw BatchWorkerError.invalidSubmission("\(label): the item cannot be encoded")
        }
        if pending.count >= submitter.chunkSize { try await flush(final: false) }
    }

    /// Publishes what is left with the job's total; returns the total.
    public mutating func finish() async throws -> Int {
        guard count > 0 else { throw BatchWorkerError.invalidSubmission("a batch needs at least one item") }
        try await flush(final: true)
        try await awaitPublishing()
        return admitted
    }

    /// Stops a submission refused part-way: its job (if one was created) becomes `cancelled`
    /// with `reason`, so the items already published are skipped.
    public mutating func abandon(reason: String) async {
        pending = []
        held = nil
        _ = try? await publishing?.value
        publishing = nil
        guard created else { return }
        _ = try? await submitter.store.abandon(jobID, error: reason)
        submitter.logger.info("batch.submit.abandoned", metadata: [BatchLogKey.jobID: "\(jobID)"])
    }

    private mutating func flush(final: Bool) async throws {
        if !pending.isEmpty, let admit {
            do {
                try await admit(owner ?? "", pending.count)
            } catch {
                pending = []
                guard created else { throw error }
                // Keep what was admitted: the job runs those items.
                try await publishRemaining(total: admitted)
                throw BatchAdmissionRefusal(jobID: jobID, accepted: admitted, reason: error)
            }
        }
        if !created {
            try await submitter.store.createJob(
                id: jobID, model: submission.model, version: submission.version, total: nil,
                callbackURL: submission.callbackURL, outputPrefix: submission.outputPrefix, owner: owner,
                priority: submission.priority.rawValue, completionWindow: submission.completionWindow)
            created = true
        }
        var messages = pending
        admitted += pending.count
        pending = []
        if let held { messages.insert(held, at: 0) }
        held = nil
        try await awaitPublishing()
        if final {
            try await setTotal(admitted)
            try await publish(messages)
        } else {
            held = messages.popLast()
            let submitter = self.submitter
            let jobID = self.jobID
            let priority = submission.priority
            publishing = Task { try await Self.publish(messages, of: jobID, priority: priority, with: submitter) }
        }
    }

    /// Waits for the chunk being published; rethrows its failure.
    private mutating func awaitPublishing() async throws {
        defer { publishing = nil }
        try await publishing?.value
    }

    private mutating func publishRemaining(total: Int) async throws {
        try await awaitPublishing()
        try await setTotal(total)
        let last = held.map { [$0] } ?? []
        held = nil
        try await publish(last)
    }

    private func setTotal(_ total: Int) async throws {
        do {
            try await submitter.store.setTotal(jobID, total: total)
        } catch {
            _ = try? await submitter.store.fail(jobID, error: "the job's total could not be recorded")
            throw BatchWorkerError.publishFailed("the job could not be recorded")
        }
    }

    private func publish(_ messages: [[UInt8]]) async throws {
        try await Self.publish(messages, of: jobID, priority: submission.priority, with: submitter)
    }

    private static func publish(
        _ messages: [[UInt8]], of jobID: UUID, priority: BatchPriority, with submitter: BatchSubmitter
    ) async throws {
        do {
            try await submitter.publish(
                messages, key: Array(jobID.uuidString.lowercased().utf8), topic: priority.topic(base: submitter.topic))
        } catch {
            submitter.logger.error(
                "batch.submit.publish_failed", metadata: [BatchLogKey.jobID: "\(jobID)", BatchLogKey.error: "\(error)"])
            _ = try? await submitter.store.fail(jobID, error: "the items could not all be published")
            throw BatchWorkerError.publishFailed("the items could not all be published to Kafka")
        }
    }
}

/// The admission hook refused a chunk after earlier chunks were admitted: the job ``jobID`` runs
/// the ``accepted`` items (the first ones of the upload) and the rest was not taken.
public struct BatchAdmissionRefusal: Error, Sendable {
    /// The job that runs the accepted items.
    public var jobID: UUID
    /// How many items, from the start of the upload, the job has.
    public var accepted: Int
    /// The hook's error (e.g. `InferenceError.rateLimited` with its `retryAfter`).
    public var reason: any Error
}
