import BatchProtocol
import Foundation
import PlatformStore
import Synchronization

/// What the worker needs to know about an item's job.
struct JobContext: Sendable {
    var status: BatchJobStatus
    var outputPrefix: String?
    var callbackURL: String?
    /// When the job's completion window ends, if it has one.
    var expiresAt: Date?

    /// True when the job's items can no longer run at `now`: its window ended.
    func hasExpired(at now: Date) -> Bool {
        status == .expired || expiresAt.map { $0 <= now } == true
    }
}

/// The jobs this worker has met, with their status cached for a short time.
///
/// The first item of a job the database does not know (an external producer's) creates it:
/// with its total when the message carries `job_total`, else with an unknown total, and owned by
/// the message's `owner` (without one, only an administrator sees the job). The first
/// sight of a queued job marks it running. A cancellation is noticed within ``ttl``.
final class JobDirectory: Sendable {
    private struct Entry {
        var context: JobContext
        var fetchedAt: ContinuousClock.Instant
    }

    private let store: BatchJobStore
    private let ttl: Duration
    private let entries = Mutex<[UUID: Entry]>([:])

    init(store: BatchJobStore, ttl: Duration) {
        self.store = store
        self.ttl = ttl
    }

    /// The job of `message`, created if it does not exist yet.
    func context(for message: BatchItemMessage) async throws -> JobContext {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[message.jobID] }), entry.fetchedAt.duration(to: now) < ttl {
            return entry.context
        }
        var job = try await store.job(message.jobID)
        if job == nil {
            try await create(for: message)
            job = try await store.job(message.jobID)
        }
        guard var job else { throw PlatformStoreError.jobNotFound }
        if job.status == .queued, try await store.markRunning(job.id) {
            job.status = .running
        }
        let context = JobContext(
            status: job.status, outputPrefix: job.outputPrefix, callbackURL: job.callbackURL, expiresAt: job.expiresAt)
        entries.withLock { entries in
            // Forget jobs not seen for a while, so a long-running worker's cache stays small.
            if entries.count >= 10_000 {
                entries = entries.filter { $0.value.fetchedAt.duration(to: now) < .seconds(600) }
            }
            entries[message.jobID] = Entry(context: context, fetchedAt: now)
        }
        return context
    }

    /// Creates the job of `message` if it does not exist (a no-op when it does).
    func create(for message: BatchItemMessage) async throws {
        if let total = message.jobTotal {
            try await store.createJob(
                id: message.jobID, model: message.model, version: message.version, total: total,
                callbackURL: message.callbackURL, outputPrefix: message.outputPrefix, owner: message.owner)
        } else {
            try await store.ensureJob(
                id: message.jobID, model: message.model, version: message.version, outputPrefix: message.outputPrefix,
                owner: message.owner)
        }
    }

    /// Forgets the cached status of `jobID`, so the next lookup reads it again.
    func invalidate(_ jobID: UUID) {
        _ = entries.withLock { $0.removeValue(forKey: jobID) }
    }
}
