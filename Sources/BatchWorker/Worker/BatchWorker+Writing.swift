import BatchProtocol
import Foundation
import InferenceProtocol
import Logging
import PlatformStore

/// An item whose output is written (or whose failure is dead-lettered) and whose row is next.
struct PendingResult: Sendable {
    var item: WorkItem
    var message: BatchItemMessage
    var result: ItemResult
}

extension BatchWorker {
    /// Makes one item's outcome durable outside PostgreSQL: its output (a shard of its own; a
    /// batch's succeeded items share one, see ``writeShard(_:jobID:context:)``), or its dead-letter
    /// record. Returns the row to record, or `nil` for an unreadable message (recorded here when
    /// its job can be told).
    func write(_ item: WorkItem, _ outcome: ItemOutcome, context: JobContext?) async throws -> PendingResult? {
        guard let message = item.message else {
            if case .failed(let code, let reason) = outcome {
                if code == Self.exhaustedCode { noteExhausted(model: nil) }
                try await deadLetter(item, code: code, reason: reason)
                try await recordUnreadable(item, reason: reason)
            }
            return nil
        }
        func result(_ status: BatchItemStatus, error: String? = nil, code: String? = nil) -> PendingResult {
            let result = ItemResult(
                jobID: message.jobID, itemID: message.itemID, status: status, outputURI: nil, error: error,
                errorCode: code, position: message.position, latencyMs: nil)
            return PendingResult(item: item, message: message, result: result)
        }
        switch outcome {
        case .succeeded(let response, let latency):
            let entry = ShardEntry(item: item, message: message, response: response, latencyMs: latency)
            return try await writeShard([entry], jobID: message.jobID, context: context).first
        case .failed(let code, let reason):
            if code == Self.exhaustedCode { noteExhausted(model: message.model) }
            try await deadLetter(item, code: code, reason: reason)
            return result(.failed, error: reason, code: code)
        case .skipped:
            return result(.skipped)
        }
    }

    /// Records a batch's rows and job counters in one transaction, then finishes the jobs it
    /// completed.
    ///
    /// When PostgreSQL refuses the batch for good (a data error, or a budget spent while it was
    /// up), each row is recorded alone, so only the row at fault fails: it is then recorded as a
    /// failed item with the reason, and dead-lettered.
    func record(_ pending: [PendingResult]) async throws {
        guard !pending.isEmpty else { return }
        let outcomes: [ItemResultOutcome]
        do {
            outcomes = try await storeRows(pending)
        } catch let failure as PermanentFailure where pending.count > 1 {
            logger.warning("batch.batch.unrecordable.splitting", metadata: [BatchLogKey.error: "\(failure.reason)"])
            for one in pending { try await record([one]) }
            return
        } catch let failure as PermanentFailure {
            try await recordUnstorable(pending[0], failure)
            return
        }
        try await finish(pending, outcomes)
    }

    /// Writes the rows and counters, creating jobs that do not exist yet.
    private func storeRows(_ pending: [PendingResult]) async throws -> [ItemResultOutcome] {
        try await retrying("record items", on: .database) {
            do {
                return try await self.store.recordItemResults(pending.map(\.result))
            } catch let failure as PlatformStoreError where failure.isJobNotFound {
                // Deleted or never created: create them, then the retry records the items.
                var created = Set<UUID>()
                for item in pending where created.insert(item.message.jobID).inserted {
                    try await self.jobs.create(for: item.message)
                }
                throw failure
            }
        }
    }

    /// Counts recorded rows in the metrics and announces the jobs they completed.
    private func finish(_ pending: [PendingResult], _ outcomes: [ItemResultOutcome]) async throws {
        var completed = Set<UUID>()
        var repeated = Set<UUID>()
        for (item, outcome) in zip(pending, outcomes) {
            metrics.finished(model: item.message.model, status: item.result.status, counted: outcome.counted)
            if outcome.completedJob {
                completed.insert(item.message.jobID)
            } else if !outcome.counted {
                repeated.insert(item.message.jobID)
            }
        }
        for jobID in completed { try await finalize(jobID) }
        // A repeat may belong to a job whose completing worker died before announcing it.
        for jobID in repeated.subtracting(completed) { try await finalizeIfNeeded(jobID) }
    }

    /// A row PostgreSQL refused on its own: recorded instead as a failed item saying why (its
    /// output, if any, is left unreferenced), and dead-lettered unless it already was.
    private func recordUnstorable(_ pending: PendingResult, _ failure: PermanentFailure) async throws {
        let reason = "the item's result cannot be stored: \(failure.reason)"
        if failure.code == Self.exhaustedCode { noteExhausted(model: pending.message.model) }
        if pending.result.status != .failed {
            try await deadLetter(pending.item, code: failure.code, reason: reason)
        }
        var replacement = pending
        replacement.result.status = .failed
        replacement.result.outputURI = nil
        replacement.result.outputRange = nil
        replacement.result.error = reason
        replacement.result.errorCode = failure.code
        replacement.result.latencyMs = nil
        let outcomes: [ItemResultOutcome]
        do {
            outcomes = try await storeRows([replacement])
        } catch let failure as PermanentFailure {
            // Dead-lettered, but no row: the job cannot count it. Its offset still moves on.
            logger.error(
                "batch.item.unrecordable",
                metadata: [
                    BatchLogKey.jobID: "\(pending.message.jobID)", BatchLogKey.itemID: "\(pending.message.itemID)",
                    BatchLogKey.error: "\(failure.reason)",
                ])
            return
        }
        try await finish([replacement], outcomes)
    }

    /// An unreadable message still counts as a failed item when its job and item id can be read
    /// and the job exists.
    private func recordUnreadable(_ item: WorkItem, reason: String) async throws {
        guard let identity = BatchItemMessage.identity(of: item.value), BatchNaming.isValidItemID(identity.itemID)
        else { return }
        let exists = try await retrying("load job", on: .database) { try await self.store.job(identity.jobID) != nil }
        guard exists else { return }
        let outcome = try await retrying("record item", on: .database) {
            try await self.store.recordItemResult(
                jobID: identity.jobID, itemID: identity.itemID, status: .failed, outputURI: nil, error: reason,
                latencyMs: nil)
        }
        if outcome.completedJob { try await finalize(identity.jobID) }
    }

    /// Publishes the item with its reason on the dead-letter topic.
    func deadLetter(_ item: WorkItem, code: String, reason: String) async throws {
        let message = item.message
        let identity = message == nil ? BatchItemMessage.identity(of: item.value) : nil
        let record = DeadLetterRecord(
            jobID: (message?.jobID ?? identity?.jobID).map(Self.jobKey), itemID: message?.itemID ?? identity?.itemID,
            model: message?.model ?? identity?.model, version: message?.version, errorCode: code, reason: reason,
            failedAt: environment.now(),
            source: .init(topic: item.partition.topic, partition: item.partition.partition, offset: item.offset),
            originalBase64: nil)
        let value = try record.encoded(original: item.value)
        let key = record.jobID.map { Array($0.utf8) }
        logger.info(
            "batch.item.dead_lettered",
            metadata: [
                BatchLogKey.jobID: "\(record.jobID ?? "-")", BatchLogKey.itemID: "\(record.itemID ?? "-")",
                BatchLogKey.error: "\(code)",
            ])
        do {
            _ = try await retrying("dead letter", on: .broker) {
                try await self.producer.send(topic: self.configuration.deadLetterTopic, key: key, value: value)
            }
        } catch let failure as PermanentFailure {
            // The failure is still recorded on the item's row; only the DLQ copy is missing.
            logger.error(
                "batch.item.dead_letter_refused",
                metadata: [BatchLogKey.jobID: "\(record.jobID ?? "-")", BatchLogKey.error: "\(failure.reason)"])
        }
    }

    /// A job id as it appears in keys and records: lower-case UUID text.
    static func jobKey(_ id: UUID) -> String { id.uuidString.lowercased() }
}
