import BatchProtocol
import Foundation
import InferenceProtocol
import PlatformStore

/// One succeeded item on its way into a shard.
struct ShardEntry: Sendable {
    var item: WorkItem
    var message: BatchItemMessage
    var response: InferResponse
    var latencyMs: Double
}

extension BatchWorker {
    /// Writes the succeeded items of one job from one batch as one JSON Lines object, a line per
    /// item in offset order, and returns their rows, each pointing at its line.
    ///
    /// Items an earlier delivery already recorded are left out (their rows keep pointing at the
    /// shard they were recorded with), and the key is made of the written items' own offsets, so
    /// a key a row points at is never written again with other lines; a retry of the same items
    /// overwrites the same object. An item whose output cannot be written fails alone; a shard
    /// that cannot be stored fails its items, each dead-lettered.
    func writeShard(_ entries: [ShardEntry], jobID: UUID, context: JobContext?) async throws -> [PendingResult] {
        let recorded = try await retrying("load item states", on: .database) {
            try await self.store.finalItemIDs(jobID: jobID, among: entries.map(\.message.itemID))
        }
        var results: [PendingResult] = []
        var lines: [(entry: ShardEntry, range: Range<Int>)] = []
        var body = Data()
        for entry in entries.sorted(by: { $0.item.offset < $1.item.offset }) {
            if recorded.contains(entry.message.itemID) {
                // Counted already: recording it again changes nothing.
                results.append(Self.pending(entry, .succeeded))
                continue
            }
            do {
                let line = try Self.outputLine(entry)
                lines.append((entry, body.count..<(body.count + line.count)))
                body.append(line)
            } catch let failure as PermanentFailure {
                try await deadLetter(entry.item, code: failure.code, reason: failure.reason)
                results.append(Self.pending(entry, .failed, error: failure.reason, code: failure.code))
            }
        }
        guard let first = lines.first?.entry.item, let last = lines.last?.entry.item else { return results }
        let prefix = context?.outputPrefix ?? first.message?.outputPrefix ?? configuration.outputPrefix
        let key = BatchNaming.shardKey(
            prefix: prefix, jobID: Self.jobKey(jobID), partition: first.partition.partition,
            firstOffset: first.offset, lastOffset: last.offset)
        do {
            let shard = body
            try await retrying("write output", on: .objectStore) {
                _ = try await self.objects.put(key: key, body: shard, contentType: "application/x-ndjson")
            }
        } catch let failure as PermanentFailure {
            let code = failure.code == Self.exhaustedCode ? failure.code : "unwritable_output"
            let reason = "the output cannot be stored: \(failure.reason)"
            if code == Self.exhaustedCode { noteExhausted(model: first.message?.model) }
            for (entry, _) in lines {
                try await deadLetter(entry.item, code: code, reason: reason)
                results.append(Self.pending(entry, .failed, error: reason, code: code))
            }
            return results
        }
        let uri = "s3://\(configuration.bucket)/\(key)"
        for (entry, range) in lines {
            results.append(Self.pending(entry, .succeeded, uri: uri, range: range))
        }
        return results
    }

    /// The item's response as one JSON line, its `id` the item id.
    ///
    /// Throws ``PermanentFailure`` when the response cannot be written as JSON.
    private static func outputLine(_ entry: ShardEntry) throws -> Data {
        var response = entry.response
        response.id = entry.message.itemID
        var line: Data
        do {
            line = try InferenceCodec.encodeResponse(response, binaryOutputs: []).body
        } catch {
            let reason = (error as? InferenceProtocolError)?.message ?? "the output cannot be written as JSON"
            throw PermanentFailure(code: "unwritable_output", reason: reason)
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private static func pending(
        _ entry: ShardEntry, _ status: BatchItemStatus, uri: String? = nil, range: Range<Int>? = nil,
        error: String? = nil, code: String? = nil
    ) -> PendingResult {
        let result = ItemResult(
            jobID: entry.message.jobID, itemID: entry.message.itemID, status: status, outputURI: uri,
            outputRange: range, error: error, errorCode: code, position: entry.message.position,
            latencyMs: status == .succeeded ? entry.latencyMs : nil)
        return PendingResult(item: entry.item, message: entry.message, result: result)
    }
}
