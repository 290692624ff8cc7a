import Foundation
import InferenceProtocol
import Logging
import PlatformStore

extension BatchWorker {
    /// Runs one batch to the end: every item inferred (or failed, or skipped), its output and row
    /// written, and only then its offset marked committable. Throws only `CancellationError`.
    func process(_ items: [WorkItem]) async throws {
        var outcomes = [ItemOutcome?](repeating: nil, count: items.count)
        var contexts: [UUID: JobContext] = [:]
        var runnable: [Int] = []
        for (index, item) in items.enumerated() {
            let message: BatchItemMessage
            switch item.content {
            case .failure(let error):
                outcomes[index] = .failed(code: error.name, reason: error.reason)
                continue
            case .success(let decoded):
                message = decoded
            }
            if contexts[message.jobID] == nil {
                do {
                    contexts[message.jobID] = try await retrying("load job") {
                        try await self.jobs.context(for: message)
                    }
                } catch let failure as PermanentFailure {
                    outcomes[index] = .failed(code: failure.code, reason: failure.reason)
                    continue
                }
            }
            if contexts[message.jobID]?.status == .cancelled {
                outcomes[index] = .skipped
            } else {
                runnable.append(index)
            }
        }
        if !runnable.isEmpty {
            let inferred = try await infer(runnable.map { items[$0].message! })
            for (index, outcome) in zip(runnable, inferred) { outcomes[index] = outcome }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (item, outcome) in zip(items, outcomes) {
                let context = item.message.flatMap { contexts[$0.jobID] }
                group.addTask {
                    do {
                        try await self.complete(item, outcome ?? .skipped, context: context)
                    } catch let failure as PermanentFailure {
                        // Nothing more can be done for this item; its offset still moves on.
                        self.logger.error(
                            "batch.item.unfinishable",
                            metadata: [LogKey.offset: "\(item.offset)", LogKey.error: "\(failure.reason)"])
                    }
                }
            }
            try await group.waitForAll()
        }
        markDone(items)
    }

    // MARK: - Inference

    /// Infers items of one model: checked against the model's metadata, then as one batch, or one
    /// by one when the batch is rejected (so a poison item fails alone).
    private func infer(_ messages: [BatchItemMessage]) async throws -> [ItemOutcome] {
        let first = messages[0]
        let description: ModelDescription
        do {
            description = try await describe(ModelKey(model: first.model, version: first.version))
        } catch let failure as PermanentFailure {
            return messages.map { _ in .failed(code: "model_not_found", reason: failure.reason) }
        }
        var outcomes = [ItemOutcome?](repeating: nil, count: messages.count)
        var valid: [Int] = []
        for (index, message) in messages.enumerated() {
            do {
                try message.request.validate(against: description.metadata)
                valid.append(index)
            } catch {
                let reason = (error as? InferenceProtocolError)?.message ?? "the inputs do not fit the model"
                outcomes[index] = .failed(code: BatchWorkerError.invalidItem("").name, reason: reason)
            }
        }
        let results: [ItemOutcome]
        if valid.count > 1 && description.maxBatchSize > 0 {
            results = try await inferBatched(valid.map { messages[$0] })
        } else {
            results = try await inferEach(valid.map { messages[$0] })
        }
        for (index, outcome) in zip(valid, results) { outcomes[index] = outcome }
        return outcomes.map { $0 ?? .skipped }
    }

    private func inferBatched(_ messages: [BatchItemMessage]) async throws -> [ItemOutcome] {
        let first = messages[0]
        let joined = TensorBatching.join(messages.map(\.request))
        let rows = messages.map { TensorBatching.rows(of: $0.request) }
        let start = ContinuousClock.now
        do {
            let response = try await retrying("infer") {
                try await self.inference.infer(joined, model: first.model, version: first.version)
            }
            let parts = try TensorBatching.split(response, rows: rows)
            let latency = Self.milliseconds(start.duration(to: .now))
            metrics.inferred(batchSize: messages.count, model: first.model, latency: start.duration(to: .now))
            return parts.map { .succeeded($0, latencyMs: latency) }
        } catch is PermanentFailure {
        } catch is BatchWorkerError {
        }
        // The batch was refused because of some item: find it by running each alone.
        logger.info(
            "batch.batch.rejected.falling_back",
            metadata: [LogKey.model: "\(first.model)", LogKey.items: "\(messages.count)"])
        return try await inferEach(messages)
    }

    private func inferEach(_ messages: [BatchItemMessage]) async throws -> [ItemOutcome] {
        try await withThrowingTaskGroup(of: (Int, ItemOutcome).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask { (index, try await self.inferOne(message)) }
            }
            var outcomes = [ItemOutcome](repeating: .skipped, count: messages.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    private func inferOne(_ message: BatchItemMessage) async throws -> ItemOutcome {
        var request = message.request
        request.binaryDataOutput = true
        let start = ContinuousClock.now
        do {
            let response = try await retrying("infer") {
                try await self.inference.infer(request, model: message.model, version: message.version)
            }
            metrics.inferred(batchSize: 1, model: message.model, latency: start.duration(to: .now))
            return .succeeded(response, latencyMs: Self.milliseconds(start.duration(to: .now)))
        } catch let failure as PermanentFailure {
            return .failed(code: BatchWorkerError.rejectedByModel("").name, reason: failure.reason)
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    // MARK: - Writing

    /// Makes one item's outcome durable: output object, then row (and dead letter for failures).
    private func complete(_ item: WorkItem, _ outcome: ItemOutcome, context: JobContext?) async throws {
        guard let message = item.message else {
            if case .failed(let code, let reason) = outcome {
                try await deadLetter(item, code: code, reason: reason)
                try await recordUnreadable(item, reason: reason)
            }
            return
        }
        switch outcome {
        case .succeeded(var response, let latency):
            response.id = message.itemID
            let body: Data
            do {
                body = try InferenceCodec.encodeResponse(response, binaryOutputs: []).body
            } catch {
                let reason = (error as? InferenceProtocolError)?.message ?? "the output cannot be written as JSON"
                try await complete(item, .failed(code: "unwritable_output", reason: reason), context: context)
                return
            }
            let prefix = context?.outputPrefix ?? message.outputPrefix ?? configuration.outputPrefix
            let key = BatchNaming.outputKey(prefix: prefix, jobID: Self.jobKey(message.jobID), itemID: message.itemID)
            try await retrying("write output") {
                _ = try await self.objects.put(key: key, body: body, contentType: "application/json")
            }
            try await record(
                message, status: .succeeded, outputURI: "s3://\(configuration.bucket)/\(key)", error: nil,
                latencyMs: latency)
        case .failed(let code, let reason):
            try await deadLetter(item, code: code, reason: reason)
            try await record(message, status: .failed, outputURI: nil, error: reason, latencyMs: nil)
        case .skipped:
            try await record(message, status: .skipped, outputURI: nil, error: nil, latencyMs: nil)
        }
    }

    /// Records the item's final state (counted once per item) and finishes its job when it was
    /// the last one.
    private func record(
        _ message: BatchItemMessage, status: BatchItemStatus, outputURI: String?, error: String?, latencyMs: Double?
    ) async throws {
        let outcome: ItemResultOutcome
        do {
            outcome = try await retrying("record item") {
                do {
                    return try await self.store.recordItemResult(
                        jobID: message.jobID, itemID: message.itemID, status: status, outputURI: outputURI,
                        error: error.map { String($0.prefix(2000)) }, latencyMs: latencyMs)
                } catch let failure as PlatformStoreError where failure.isJobNotFound {
                    // Deleted or never created: create it, then the retry records the item.
                    try await self.jobs.create(for: message)
                    throw failure
                }
            }
        } catch let failure as PermanentFailure {
            logger.error(
                "batch.item.unrecordable",
                metadata: [
                    LogKey.jobID: "\(message.jobID)", LogKey.itemID: "\(message.itemID)",
                    LogKey.error: "\(failure.reason)",
                ])
            return
        }
        metrics.finished(model: message.model, status: status, counted: outcome.counted)
        if outcome.completedJob {
            try await finalize(message.jobID)
        } else if !outcome.counted {
            try await finalizeIfNeeded(message.jobID)
        }
    }

    /// An unreadable message still counts as a failed item when its job and item id can be read
    /// and the job exists.
    private func recordUnreadable(_ item: WorkItem, reason: String) async throws {
        guard let identity = BatchItemMessage.identity(of: item.value), BatchNaming.isValidItemID(identity.itemID)
        else { return }
        let exists = try await retrying("load job") { try await self.store.job(identity.jobID) != nil }
        guard exists else { return }
        let outcome = try await retrying("record item") {
            try await self.store.recordItemResult(
                jobID: identity.jobID, itemID: identity.itemID, status: .failed, outputURI: nil,
                error: String(reason.prefix(2000)), latencyMs: nil)
        }
        if outcome.completedJob { try await finalize(identity.jobID) }
    }

    /// Publishes the item with its reason on the dead-letter topic.
    private func deadLetter(_ item: WorkItem, code: String, reason: String) async throws {
        let message = item.message
        let identity = message == nil ? BatchItemMessage.identity(of: item.value) : nil
        let record = DeadLetterRecord(
            jobID: (message?.jobID ?? identity?.jobID).map(Self.jobKey), itemID: message?.itemID ?? identity?.itemID,
            model: message?.model ?? identity?.model, version: message?.version, errorCode: code, reason: reason,
            failedAt: Date(),
            source: .init(topic: item.partition.topic, partition: item.partition.partition, offset: item.offset),
            originalBase64: nil)
        let value = try record.encoded(original: item.value)
        let key = record.jobID.map { Array($0.utf8) }
        logger.info(
            "batch.item.dead_lettered",
            metadata: [
                LogKey.jobID: "\(record.jobID ?? "-")", LogKey.itemID: "\(record.itemID ?? "-")",
                LogKey.error: "\(code)",
            ])
        _ = try await retrying("dead letter") {
            try await self.producer.send(topic: self.configuration.deadLetterTopic, key: key, value: value)
        }
    }

    /// A job id as it appears in keys and records: lower-case UUID text.
    static func jobKey(_ id: UUID) -> String { id.uuidString.lowercased() }
}
