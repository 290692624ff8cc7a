import BatchProtocol
import Foundation
import Logging
import PlatformStore

extension BatchWorker {
    /// Announces a completed (or expired) job: its result files, `manifest.json` beside its
    /// outputs, a `batch.job.completed` (`batch.job.expired`) event, and its callback recorded in
    /// the outbox, once per process.
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

    /// ``finalize(_:)`` when the job is completed or expired and this process has not announced it yet.
    func finalizeIfNeeded(_ jobID: UUID) async throws {
        guard !finalized.withLock({ $0.contains(jobID) }) else { return }
        guard let job = try await retrying("load job", { try await self.store.job(jobID) }),
            job.status.hasResultFiles
        else { return }
        try await finalize(jobID)
    }

    private func announce(_ jobID: UUID) async throws {
        guard let job = try await retrying("load job", { try await self.store.job(jobID) }),
            job.status.hasResultFiles
        else { return }
        let prefix = job.outputPrefix ?? configuration.outputPrefix
        let written = try await writeResultFiles(job, prefix: prefix)
        let manifestKey = BatchNaming.manifestKey(prefix: prefix, jobID: Self.jobKey(jobID))
        let manifest = JobManifest(
            jobID: Self.jobKey(jobID), model: job.model, version: job.version, status: job.status.rawValue,
            total: job.total, succeeded: job.succeeded, failed: job.failed, skipped: job.skipped,
            createdAt: job.createdAt, finishedAt: job.finishedAt, outputFile: written.map { uri($0.outputKey) },
            errorFile: written.map { uri($0.errorKey) }, outputLines: written?.outputLines,
            errorLines: written?.errorLines, shards: written?.shards)
        let manifestBody = try BatchJSON.encoder.encode(manifest)
        try await retrying("write manifest", on: .objectStore) {
            _ = try await self.objects.put(key: manifestKey, body: manifestBody, contentType: "application/json")
        }
        if let written {
            // Last: a job with file keys has its files and manifest in place.
            try await retrying("record result files", on: .database) {
                try await self.store.recordResultFiles(
                    jobID: jobID, outputKey: written.outputKey, errorKey: written.errorKey)
            }
        }

        let event = JobEvent(
            type: "batch.job.\(job.status.rawValue)", jobID: Self.jobKey(jobID), model: job.model, version: job.version,
            status: job.status.rawValue, total: job.total, succeeded: job.succeeded, failed: job.failed,
            skipped: job.skipped, manifestURI: uri(manifestKey), createdAt: job.createdAt,
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
            "batch.job.\(job.status.rawValue)",
            metadata: [
                BatchLogKey.jobID: "\(jobID)", "batch.succeeded": "\(job.succeeded)", "batch.failed": "\(job.failed)",
                "batch.orphan_shards_removed": "\(written?.orphansRemoved ?? 0)",
            ])
    }

    /// Writes the job's `output.jsonl` and `errors.jsonl`; `nil` when its stored results cannot be read back (the job is announced without them).
    private func writeResultFiles(_ job: BatchJob, prefix: String) async throws -> JobResultFiles.Summary? {
        let files = JobResultFiles(store: store, objects: objects)
        let written: JobResultFiles.Summary
        do {
            written = try await retrying("write result files", on: .objectStore) {
                try await files.write(job: job, prefix: prefix)
            }
        } catch let failure as PermanentFailure {
            logger.error(
                "batch.job.result_files_failed",
                metadata: [BatchLogKey.jobID: "\(job.id)", BatchLogKey.error: "\(failure.reason)"])
            return nil
        }
        if written.outputLines != job.succeeded || written.errorLines != job.failed + job.skipped {
            logger.error(
                "batch.job.result_files_disagree",
                metadata: [
                    BatchLogKey.jobID: "\(job.id)", "batch.output_lines": "\(written.outputLines)",
                    "batch.error_lines": "\(written.errorLines)",
                ])
        }
        return written
    }

    private func uri(_ key: String) -> String { "s3://\(configuration.bucket)/\(key)" }
}
