import Foundation
import PlatformStore
import PostgresClient
import TestSupport
import Testing

@Suite("Item results recorded a batch at a time", .serialized, .timeLimit(.minutes(3)))
struct BatchItemResultsTests {
    @Test("one call records every row, counts repeats once and reports outcomes in input order")
    func batchWithRepeats() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 5, callbackURL: nil, outputPrefix: nil)
            try await store.recordItemAttempt(jobID: id, itemID: "c", error: "router down")
            try await store.recordItemResult(
                jobID: id, itemID: "a", status: .succeeded, outputURI: nil, error: nil, latencyMs: nil)
            let results = [
                result(id, "b", .succeeded, latency: 1.25),
                result(id, "a", .failed),  // already final: not counted, row unchanged
                result(id, "c", .failed, error: "bad \"input\", {x}"),  // pending before: counted
                result(id, "b", .skipped),  // repeat inside the call
                result(id, "d", .skipped),
            ]
            let outcomes = try await store.recordItemResults(results)
            #expect(outcomes.map(\.counted) == [true, false, true, false, true])
            #expect(outcomes.allSatisfy { !$0.completedJob })
            let job = try #require(try await store.job(id))
            #expect(job.succeeded == 2 && job.failed == 1 && job.skipped == 1 && job.status == .running)
            let b = try #require(try await store.item(jobID: id, itemID: "b"))
            #expect(b.status == .succeeded && b.latencyMs == 1.25 && b.outputURI == "s3://bucket/b")
            let a = try #require(try await store.item(jobID: id, itemID: "a"))
            #expect(a.status == .succeeded && a.attempts == 1)
            let c = try #require(try await store.item(jobID: id, itemID: "c"))
            #expect(c.status == .failed && c.error == "bad \"input\", {x}" && c.attempts == 2)

            let last = try await store.recordItemResults([result(id, "e", .succeeded), result(id, "a", .succeeded)])
            #expect(last == [.init(counted: true, completedJob: true), .init(counted: false, completedJob: false)])
            #expect(try await store.job(id)?.status == .completed)
        }
    }

    @Test("concurrent overlapping batches over two jobs count every item once and complete each job once")
    func concurrentOverlappingBatches() async throws {
        try await StoreTestDatabase.withStore(poolSize: 8) { pool in
            let store = BatchJobStore(pool: pool)
            let jobs = [UUID(), UUID()]
            for job in jobs {
                try await store.createJob(
                    id: job, model: "m", version: nil, total: 120, callbackURL: nil, outputPrefix: nil)
            }
            // 40 batches of 8 items: every item once, plus a third of them again in another batch,
            // items of both jobs mixed and in varying order.
            var all = jobs.flatMap { job in (0..<120).map { result(job, "item-\($0)", .succeeded) } }
            all += stride(from: 0, to: all.count, by: 3).map { all[$0] }
            var generator = SplitMix64(seed: 7)
            all.shuffle(using: &generator)
            let batches = stride(from: 0, to: all.count, by: 8).map { Array(all[$0..<min($0 + 8, all.count)]) }
            let outcomes = try await withThrowingTaskGroup(of: [ItemResultOutcome].self) { group in
                for batch in batches { group.addTask { try await store.recordItemResults(batch) } }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(outcomes.filter(\.counted).count == 240)
            #expect(outcomes.filter(\.completedJob).count == 2)
            for job in jobs {
                let stored = try #require(try await store.job(job))
                #expect(stored.succeeded == 120 && stored.status == .completed)
            }
        }
    }

    @Test("an error with a NUL, control characters or 5,000 characters is stored sanitised and cut to 2,000")
    func unsafeErrorText() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 3, callbackURL: nil, outputPrefix: nil)
            let outcomes = try await store.recordItemResults([
                result(id, "nul", .failed, error: "input 'IN\u{0}PUT0' is not an input"),
                result(id, "long", .failed, error: String(repeating: "é", count: 5000)),
                result(id, "fine", .succeeded),
            ])
            #expect(outcomes.filter(\.counted).count == 3)
            let nul = try #require(try await store.item(jobID: id, itemID: "nul"))
            let stored = nul.error ?? ""
            #expect(nul.status == .failed)
            #expect(stored == "input 'IN\u{FFFD}PUT0' is not an input")
            let long = try #require(try await store.item(jobID: id, itemID: "long"))
            let cut = long.error ?? ""
            #expect(cut.unicodeScalars.count == ItemResult.maxErrorLength)
            #expect(try await store.job(id)?.status == .completed)
        }
    }

    @Test("a row keeps its line's place in a shard; only final items are reported as recorded")
    func shardLocations() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 4, callbackURL: nil, outputPrefix: nil)
            try await store.recordItemAttempt(jobID: id, itemID: "p", error: "router down")
            let shard = "s3://bucket/jobs/\(id)/shards/0-10-12.jsonl"
            _ = try await store.recordItemResults([
                ItemResult(
                    jobID: id, itemID: "a", status: .succeeded, outputURI: shard, outputRange: 0..<120, error: nil,
                    latencyMs: 1),
                ItemResult(
                    jobID: id, itemID: "b", status: .succeeded, outputURI: shard, outputRange: 120..<250, error: nil,
                    latencyMs: 1),
                ItemResult(jobID: id, itemID: "f", status: .failed, outputURI: nil, error: "bad", latencyMs: nil),
            ])
            #expect(try await store.item(jobID: id, itemID: "b")?.outputRange == 120..<250)
            #expect(try await store.item(jobID: id, itemID: "f")?.outputRange == nil)
            let recorded = try await store.finalItemIDs(jobID: id, among: ["a", "b", "f", "p", "never"])
            #expect(recorded == ["a", "b", "f"], "p is pending, never is unknown")
            #expect(try await store.finalItemIDs(jobID: UUID(), among: ["a"]).isEmpty)
        }
    }

    @Test("an unknown job records nothing and says so")
    func unknownJob() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let known = UUID()
            try await store.createJob(
                id: known, model: "m", version: nil, total: 2, callbackURL: nil, outputPrefix: nil)
            await #expect(throws: PlatformStoreError.jobNotFound) {
                try await store.recordItemResults([result(known, "a", .succeeded), result(UUID(), "b", .succeeded)])
            }
            #expect(try await store.item(jobID: known, itemID: "a") == nil)
            await #expect(throws: PlatformStoreError.self) {
                try await store.recordItemResults([result(known, "a", .pending)])
            }
            #expect(try await store.recordItemResults([]).isEmpty)
        }
    }

    private func result(
        _ job: UUID, _ item: String, _ status: BatchItemStatus, error: String? = nil, latency: Double? = nil
    ) -> ItemResult {
        ItemResult(
            jobID: job, itemID: item, status: status, outputURI: status == .succeeded ? "s3://bucket/\(item)" : nil,
            error: error, latencyMs: latency)
    }
}
