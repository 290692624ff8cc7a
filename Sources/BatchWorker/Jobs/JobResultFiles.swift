import BatchProtocol
import Foundation
import ObjectStore
import PlatformStore

/// Writes a finished job's result files from its rows and shards: `output.jsonl`, every succeeded
/// item's line once in input order, and `errors.jsonl`, a line per failed or skipped item with
/// its code and message. Then removes the job's orphan shards (written by a delivery whose rows
/// lost the race to another's), which no row points at.
///
/// Each file is streamed to S3 in parts, so memory holds one part and a bounded cache of shards,
/// whatever the job's size. Writing again gives the same files (the keys are the job's own).
struct JobResultFiles: Sendable {
    /// What was written.
    struct Summary: Sendable, Hashable {
        var outputKey: String
        var errorKey: String
        var outputLines: Int
        var errorLines: Int
        /// The shards rows point at (kept: the per-item endpoint reads them).
        var shards: Int
        var orphansRemoved: Int
    }

    let store: BatchJobStore
    let objects: S3Client
    /// The most shard bytes held at once while copying lines.
    var shardCacheBytes = 32 << 20

    /// Writes the files of `job`, whose outputs are under `prefix`.
    func write(job: BatchJob, prefix: String) async throws -> Summary {
        let jobKey = job.id.uuidString.lowercased()
        var summary = Summary(
            outputKey: BatchNaming.outputFileKey(prefix: prefix, jobID: jobKey),
            errorKey: BatchNaming.errorFileKey(prefix: prefix, jobID: jobKey), outputLines: 0, errorLines: 0,
            shards: 0, orphansRemoved: 0)
        var output = S3ObjectWriter(client: objects, key: summary.outputKey, contentType: "application/x-ndjson")
        var errors = S3ObjectWriter(client: objects, key: summary.errorKey, contentType: "application/x-ndjson")
        var shards = ShardCache(client: objects, limitBytes: shardCacheBytes)
        var referenced = Set<String>()
        do {
            var cursor: InputOrderCursor?
            repeat {
                let page = try await store.itemsInInputOrder(jobID: job.id, after: cursor, limit: 1000)
                var outputChunk = Data()
                var errorChunk = Data()
                for item in page.items {
                    switch item.status {
                    case .succeeded:
                        let (key, line) = try await outputLine(of: item, shards: &shards)
                        referenced.insert(key)
                        outputChunk.append(line)
                        summary.outputLines += 1
                    case .failed, .skipped:
                        errorChunk.append(try Self.errorLine(of: item))
                        summary.errorLines += 1
                    case .pending:
                        continue
                    }
                }
                try await output.append(outputChunk)
                try await errors.append(errorChunk)
                cursor = page.next
            } while cursor != nil
            try await output.finish()
            try await errors.finish()
        } catch {
            await output.abort()
            await errors.abort()
            throw error
        }
        summary.shards = referenced.count
        let folder = BatchNaming.shardFolder(prefix: prefix, jobID: jobKey)
        for object in try await objects.listAll(prefix: folder) where !referenced.contains(object.key) {
            try await objects.delete(key: object.key)
            summary.orphansRemoved += 1
        }
        return summary
    }

    /// The item's output line (ending in a newline) and the key of the object it came from.
    private func outputLine(of item: BatchItem, shards: inout ShardCache) async throws -> (String, Data) {
        guard let uri = item.outputURI, let key = BatchNaming.objectKey(fromURI: uri, bucket: objects.bucket) else {
            throw BatchWorkerError.unreadableResults(
                "item \(item.itemID) succeeded without an output in bucket \(objects.bucket)")
        }
        guard let range = item.outputRange else {
            // An output written before shards: the object is the item's own.
            var line = try await objects.get(key: key)
            if line.last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
            return (key, line)
        }
        return (key, try await shards.bytes(range, of: key))
    }

    private static func errorLine(of item: BatchItem) throws -> Data {
        let code = item.errorCode ?? (item.status == .skipped ? "skipped" : "failed")
        let message = item.error ?? (item.status == .skipped ? "the job was cancelled before the item ran" : "failed")
        let line = BatchErrorLine(itemID: item.itemID, position: item.position, code: code, message: message)
        var data = try BatchJSON.encoder.encode(line)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}

/// Whole shards fetched once and kept while they fit in `limitBytes`, oldest dropped first.
struct ShardCache: Sendable {
    let client: S3Client
    let limitBytes: Int
    private var shards: [String: Data] = [:]
    private var order: [String] = []
    private var heldBytes = 0

    init(client: S3Client, limitBytes: Int) {
        self.client = client
        self.limitBytes = limitBytes
    }

    /// The bytes `range` of the shard at `key`.
    mutating func bytes(_ range: Range<Int>, of key: String) async throws -> Data {
        let shard: Data
        if let held = shards[key] {
            shard = held
        } else {
            shard = try await client.get(key: key)
            while heldBytes + shard.count > limitBytes, !order.isEmpty {
                let oldest = order.removeFirst()
                heldBytes -= shards.removeValue(forKey: oldest)?.count ?? 0
            }
            shards[key] = shard
            order.append(key)
            heldBytes += shard.count
        }
        guard range.lowerBound >= 0, range.upperBound <= shard.count else {
            throw BatchWorkerError.unreadableResults("shard \(key) has \(shard.count) bytes, a row points at \(range)")
        }
        return shard.subdata(in: (shard.startIndex + range.lowerBound)..<(shard.startIndex + range.upperBound))
    }
}
