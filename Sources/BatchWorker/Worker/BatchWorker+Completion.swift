import Foundation
import Logging
import PlatformStore

extension BatchWorker {
    /// Announces a completed job: `manifest.json` beside its outputs, a `batch.job.completed`
    /// event, and its callback recorded in the outbox, once per process.
    ///
    /// Called by the item that completed the job, and again for a completed job when a message is
    /// redelivered (the process that completed it may have died before announcing it), so the
    /// event and callback are delivered at least once.
    func finalize(_ jobID: UUID) async throws {
        guard finalized.withLock({ $0.insert(jobID).inserted }) else { return }
        do {
            try await announce(jobID)
        } catch {
            _ = finalized.withLock { $0.remove(jobID) }
            throw error
        }
    }

    /// ``finalize(_:)`` when the job is completed and this process has not announced it yet.
    func finalizeIfNeeded(_ jobID: UUID) async throws {
        guard !finalized.withLock({ $0.contains(jobID) }) else { return }
        guard let job = try await retrying("load job", { try await self.store.job(jobID) }),
            job.status == .completed
        else { return }
        try await finalize(jobID)
    }

    private func announce(_ jobID: UUID) async throws {
        guard let job = try await retrying("load job", { try await self.store.job(jobID) }),
            job.status == .completed
        else { return }
        var items: [JobManifest.Item] = []
        var cursor: String?
        repeat {
            let after = cursor
            let page = try await retrying("list items") {
                try await self.store.items(jobID: jobID, after: after, limit: 1000)
            }
            items += page.items.map {
                JobManifest.Item(
                    itemID: $0.itemID, status: $0.status.rawValue, outputURI: $0.outputURI,
                    outputOffset: $0.outputRange?.lowerBound, outputLength: $0.outputRange?.count, error: $0.error)
            }
            cursor = page.nextCursor
        } while cursor != nil

        let prefix = job.outputPrefix ?? configuration.outputPrefix
        let manifestKey = BatchNaming.manifestKey(prefix: prefix, jobID: Self.jobKey(jobID))
        let manifest = JobManifest(
            jobID: Self.jobKey(jobID), model: job.model, version: job.version, status: job.status.rawValue,
            total: job.total, succeeded: job.succeeded, failed: job.failed, skipped: job.skipped,
            createdAt: job.createdAt, finishedAt: job.finishedAt, items: items)
        let manifestBody = try BatchJSON.encoder.encode(manifest)
        try await retrying("write manifest") {
            _ = try await self.objects.put(key: manifestKey, body: manifestBody, contentType: "application/json")
        }

        let event = JobEvent(
            type: "batch.job.completed", jobID: Self.jobKey(jobID), model: job.model, version: job.version,
            status: job.status.rawValue, total: job.total, succeeded: job.succeeded, failed: job.failed,
            skipped: job.skipped, manifestURI: "s3://\(configuration.bucket)/\(manifestKey)", createdAt: job.createdAt,
            finishedAt: job.finishedAt)
        let eventBody = Array(try BatchJSON.encoder.encode(event))
        _ = try await retrying("publish event") {
            try await self.producer.send(
                topic: self.configuration.eventsTopic, key: Array(Self.jobKey(jobID).utf8), value: eventBody)
        }
        if let callbackURL = job.callbackURL {
            // Only recorded here; the delivery service sends it, so a slow receiver holds no batch.
            _ = try await retrying("record callback") {
                try await self.callbacks.enqueue(jobID: jobID, url: callbackURL, body: Data(eventBody))
            }
        }
        metrics.jobCompleted()
        logger.info(
            "batch.job.completed",
            metadata: [
                LogKey.jobID: "\(jobID)", "batch.succeeded": "\(job.succeeded)", "batch.failed": "\(job.failed)",
            ])
    }
}
