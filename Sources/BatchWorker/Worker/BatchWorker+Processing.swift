import BatchProtocol
import Foundation
import InferenceProtocol
import Logging
import PlatformStore
import Resilience
import Tracing

extension BatchWorker {
    /// Runs one group of batches to the end: every item inferred (each batch its own Triton call,
    /// all at once), failed or skipped; the group's succeeded items written as one shard per job
    /// and every row in one transaction; only then their offsets marked committable. Throws only
    /// `CancellationError`.
    func process(_ batches: [[WorkItem]]) async throws {
        guard TraceContext.isEnabled else { return try await processGroup(batches) }
        // One consume span per group, continuing the first traced item's trace and linked to the
        // others' (a group holds items of many submissions); infer, write and commit are its children.
        let traced = batches.flatMap { $0 }.compactMap(\.traceContext)
        try await withSpan("batch.consume", context: traced.first ?? .topLevel, ofKind: .consumer) { span in
            span.attributes["messaging.system"] = "kafka"
            span.attributes["batch.items"] = batches.reduce(0) { $0 + $1.count }
            for other in traced.dropFirst().prefix(32) { span.addLink(SpanLink(context: other, attributes: [:])) }
            try await processGroup(batches)
        }
    }

    private func processGroup(_ batches: [[WorkItem]]) async throws {
        var contexts: [UUID: JobContext] = [:]
        var outcomes: [[ItemOutcome?]] = []
        var runnable: [[Int]] = []
        for items in batches {
            var batchOutcomes = [ItemOutcome?](repeating: nil, count: items.count)
            var batchRunnable: [Int] = []
            for (index, item) in items.enumerated() {
                let message: BatchItemMessage
                switch item.content {
                case .failure(let error):
                    batchOutcomes[index] = .failed(code: error.name, reason: error.reason)
                    continue
                case .success(let decoded):
                    message = decoded
                }
                if contexts[message.jobID] == nil {
                    do {
                        contexts[message.jobID] = try await retrying("load job", on: .database) {
                            try await self.jobs.context(for: message)
                        }
                    } catch let failure as PermanentFailure {
                        batchOutcomes[index] = .failed(code: failure.code, reason: failure.reason)
                        continue
                    }
                }
                if contexts[message.jobID]?.status == .cancelled {
                    batchOutcomes[index] = .skipped
                } else if let context = contexts[message.jobID], context.hasExpired(at: environment.now()) {
                    let failure = Self.expiredFailure(context.expiresAt)
                    batchOutcomes[index] = .failed(code: failure.code, reason: failure.reason)
                } else {
                    batchRunnable.append(index)
                }
            }
            outcomes.append(batchOutcomes)
            runnable.append(batchRunnable)
        }
        try await withThrowingTaskGroup(of: (Int, [ItemOutcome]).self) { group in
            for (batch, indices) in runnable.enumerated() where !indices.isEmpty {
                let messages = indices.map { batches[batch][$0].message! }
                let deadlines = messages.map { contexts[$0.jobID]?.expiresAt }
                group.addTask { (batch, try await self.infer(messages, deadlines: deadlines)) }
            }
            for try await (batch, inferred) in group {
                for (index, outcome) in zip(runnable[batch], inferred) { outcomes[batch][index] = outcome }
            }
        }
        let items = batches.flatMap { $0 }
        // Succeeded items share one output object per job; the others are written one by one.
        var shards: [UUID: [ShardEntry]] = [:]
        var others: [(WorkItem, ItemOutcome)] = []
        for (item, outcome) in zip(items, outcomes.flatMap { $0 }) {
            if case .succeeded(let response, let latency) = outcome, let message = item.message {
                shards[message.jobID, default: []].append(
                    ShardEntry(item: item, message: message, response: response, latencyMs: latency))
            } else {
                others.append((item, outcome ?? .skipped))
            }
        }
        let results = try await TraceContext.traced("batch.write") { _ in
            try await writeResults(shards, others, contexts)
        }
        try await TraceContext.traced("batch.commit") { _ in
            do {
                try await record(results)
            } catch let failure as PermanentFailure {
                logger.error("batch.batch.unfinishable", metadata: [BatchLogKey.error: "\(failure.reason)"])
            }
            markDone(items)
        }
    }

    /// Writes the succeeded items as one shard per job and the others one by one.
    private func writeResults(
        _ shards: [UUID: [ShardEntry]], _ others: [(WorkItem, ItemOutcome)], _ contexts: [UUID: JobContext]
    ) async throws -> [PendingResult] {
        try await withThrowingTaskGroup(of: [PendingResult].self) { group in
            for (jobID, entries) in shards {
                let context = contexts[jobID]
                group.addTask {
                    do {
                        return try await self.writeShard(entries, jobID: jobID, context: context)
                    } catch let failure as PermanentFailure {
                        self.unfinishable(entries.map(\.item), failure)
                        return []
                    }
                }
            }
            for (item, outcome) in others {
                let context = item.message.flatMap { contexts[$0.jobID] }
                group.addTask {
                    do {
                        return try await self.write(item, outcome, context: context).map { [$0] } ?? []
                    } catch let failure as PermanentFailure {
                        self.unfinishable([item], failure)
                        return []
                    }
                }
            }
            return try await group.reduce(into: [PendingResult]()) { $0 += $1 }
        }
    }

    /// Nothing more can be done for these items; their offsets still move on.
    private func unfinishable(_ items: [WorkItem], _ failure: PermanentFailure) {
        for item in items {
            logger.error(
                "batch.item.unfinishable",
                metadata: [BatchLogKey.offset: "\(item.offset)", BatchLogKey.error: "\(failure.reason)"])
        }
    }

    // MARK: - Inference

    /// Infers items of one model: checked against the model's metadata, then as one batch, or one
    /// by one when the batch is rejected (so a poison item fails alone). An item whose job's
    /// window ends (its `deadlines` entry) while it waits for an outage fails as expired.
    private func infer(_ messages: [BatchItemMessage], deadlines: [Date?]) async throws -> [ItemOutcome] {
        try await TraceContext.traced("batch.infer") { span in
            span?.attributes[SpanKeys.model] = messages[0].model
            span?.attributes[SpanKeys.modelVersion] = messages[0].version ?? "default"
            span?.attributes["batch.items"] = messages.count
            span?.attributes[SpanKeys.batchJob] = messages[0].jobID.uuidString.lowercased()
            return try await inferValid(messages, deadlines: deadlines)
        }
    }

    private func inferValid(_ messages: [BatchItemMessage], deadlines: [Date?]) async throws -> [ItemOutcome] {
        let first = messages[0]
        let description: ModelDescription
        do {
            description = try await describe(
                ModelKey(model: first.model, version: first.version), until: Self.latest(deadlines))
        } catch let failure as PermanentFailure {
            let keeps = failure.code == Self.exhaustedCode || failure.code == Self.expiredCode
            let code = keeps ? failure.code : "model_not_found"
            return messages.map { _ in .failed(code: code, reason: failure.reason) }
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
            results = try await inferBatched(valid.map { messages[$0] }, deadlines: valid.map { deadlines[$0] })
        } else {
            results = try await inferEach(valid.map { messages[$0] }, deadlines: valid.map { deadlines[$0] })
        }
        for (index, outcome) in zip(valid, results) { outcomes[index] = outcome }
        return outcomes.map { $0 ?? .skipped }
    }

    private func inferBatched(_ messages: [BatchItemMessage], deadlines: [Date?]) async throws -> [ItemOutcome] {
        let first = messages[0]
        let joined = TensorBatching.join(messages.map(\.request))
        let rows = messages.map { TensorBatching.rows(of: $0.request) }
        let key = ModelKey(model: first.model, version: first.version)
        let start = ContinuousClock.now
        do {
            let response = try await retrying("infer", on: .router(key), until: Self.latest(deadlines)) {
                try await self.inference.infer(joined, model: first.model, version: first.version)
            }
            let parts = try TensorBatching.split(response, rows: rows)
            knownModels.succeeded(first.request, key: key)
            let latency = start.duration(to: .now).millisecondsValue
            metrics.inferred(batchSize: messages.count, model: first.model, latency: start.duration(to: .now))
            return parts.map { .succeeded($0, latencyMs: latency) }
        } catch is PermanentFailure {
        } catch is BatchWorkerError {
        }
        // The batch was refused because of some item, or kept failing while the router was up:
        // find the item by running each alone, each with its own attempt budget.
        logger.info(
            "batch.batch.rejected.falling_back",
            metadata: [BatchLogKey.model: "\(first.model)", BatchLogKey.items: "\(messages.count)"])
        return try await inferEach(messages, deadlines: deadlines)
    }

    private func inferEach(_ messages: [BatchItemMessage], deadlines: [Date?]) async throws -> [ItemOutcome] {
        try await withThrowingTaskGroup(of: (Int, ItemOutcome).self) { group in
            for (index, message) in messages.enumerated() {
                let deadline = deadlines[index]
                group.addTask { (index, try await self.inferOne(message, until: deadline)) }
            }
            var outcomes = [ItemOutcome](repeating: .skipped, count: messages.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    private func inferOne(_ message: BatchItemMessage, until deadline: Date?) async throws -> ItemOutcome {
        var request = message.request
        request.binaryDataOutput = true
        let key = ModelKey(model: message.model, version: message.version)
        let start = ContinuousClock.now
        do {
            let response = try await retrying("infer", on: .router(key), until: deadline) {
                try await self.inference.infer(request, model: message.model, version: message.version)
            }
            knownModels.succeeded(request, key: key)
            metrics.inferred(batchSize: 1, model: message.model, latency: start.duration(to: .now))
            return .succeeded(response, latencyMs: start.duration(to: .now).millisecondsValue)
        } catch let failure as PermanentFailure {
            return .failed(code: failure.code, reason: failure.reason)
        }
    }

    /// The error code of an item whose attempt budget ran out.
    static let exhaustedCode = BatchWorkerError.attemptsExhausted("").name

    /// The error code of an item whose job's window ended first.
    static let expiredCode = BatchWorkerError.expired("").name

    /// The last of `deadlines`, or `nil` (wait as long as it takes) when any item has none.
    static func latest(_ deadlines: [Date?]) -> Date? {
        var latest: Date?
        for deadline in deadlines {
            guard let deadline else { return nil }
            latest = max(latest ?? deadline, deadline)
        }
        return latest
    }
}
