import Foundation
import PlatformStore
import PostgresClient
import Testing

@Suite("Batch jobs on the stack's PostgreSQL", .serialized, .timeLimit(.minutes(3)))
struct BatchJobStoreTests {
    @Test("creating a job is idempotent on its id")
    func createIsIdempotent() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            #expect(
                try await store.createJob(
                    id: id, model: "digits", version: "1", total: 3, callbackURL: "http://hook", outputPrefix: "out"))
            #expect(
                try await store.createJob(
                    id: id, model: "other", version: nil, total: 9, callbackURL: nil, outputPrefix: nil)
                    == false)
            #expect(try await store.ensureJob(id: id, model: "other", version: nil, outputPrefix: nil) == false)
            let job = try #require(try await store.job(id))
            #expect(job.model == "digits" && job.version == "1" && job.total == 3)
            #expect(job.status == .queued)
            #expect(job.callbackURL == "http://hook" && job.outputPrefix == "out")
            #expect(job.progress == 0)
            #expect(try await store.job(UUID()) == nil)
        }
    }

    @Test("recording the same item twice counts it once")
    func duplicateResultCountsOnce() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 2, callbackURL: nil, outputPrefix: nil)
            let first = try await store.recordItemResult(
                jobID: id, itemID: "a", status: .succeeded, outputURI: "s3://b/a.json", error: nil, latencyMs: 3.5)
            let again = try await store.recordItemResult(
                jobID: id, itemID: "a", status: .failed, outputURI: nil, error: "late duplicate", latencyMs: nil)
            #expect(first == ItemResultOutcome(counted: true, completedJob: false))
            #expect(again == ItemResultOutcome(counted: false, completedJob: false))
            let job = try #require(try await store.job(id))
            #expect(job.succeeded == 1 && job.failed == 0 && job.status == .running)
            #expect(job.progress == 0.5)
            let item = try #require(try await store.item(jobID: id, itemID: "a"))
            #expect(item.status == .succeeded && item.outputURI == "s3://b/a.json" && item.latencyMs == 3.5)
            #expect(item.attempts == 1)
        }
    }

    @Test("200 concurrent results for a 200-item job count exactly 200 and complete it once")
    func concurrentResults() async throws {
        try await StoreTestDatabase.withStore(poolSize: 8) { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 200, callbackURL: nil, outputPrefix: nil)
            let outcomes = try await withThrowingTaskGroup(of: ItemResultOutcome.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await store.recordItemResult(
                            jobID: id, itemID: "item-\(index)", status: index % 10 == 0 ? .failed : .succeeded,
                            outputURI: nil, error: nil, latencyMs: Double(index))
                    }
                    // Every tenth item is also delivered twice, concurrently.
                    if index % 10 == 5 {
                        group.addTask {
                            try await store.recordItemResult(
                                jobID: id, itemID: "item-\(index)", status: .succeeded, outputURI: nil, error: nil,
                                latencyMs: nil)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter(\.counted).count == 200)
            #expect(outcomes.filter(\.completedJob).count == 1)
            let job = try #require(try await store.job(id))
            #expect(job.succeeded == 180 && job.failed == 20 && job.skipped == 0)
            #expect(job.status == .completed)
            #expect(job.finishedAt != nil)
            #expect(job.progress == 1)
        }
    }

    @Test("items page in id order with a cursor")
    func paging() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 25, callbackURL: nil, outputPrefix: nil)
            for index in (0..<25).reversed() {
                try await store.recordItemResult(
                    jobID: id, itemID: String(format: "item-%03d", index), status: .succeeded, outputURI: nil,
                    error: nil, latencyMs: nil)
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await store.items(jobID: id, after: cursor, limit: 10)
                seen += page.items.map(\.itemID)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == (0..<25).map { String(format: "item-%03d", $0) })
            #expect(try await store.items(jobID: UUID(), limit: 10).items.isEmpty)
            await #expect(throws: PlatformStoreError.self) { try await store.items(jobID: id, limit: 0) }
        }
    }

    @Test("a cancelled job stays cancelled; its remaining items count as skipped")
    func cancel() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 3, callbackURL: nil, outputPrefix: nil)
            #expect(try await store.markRunning(id))
            try await store.recordItemResult(
                jobID: id, itemID: "1", status: .succeeded, outputURI: nil, error: nil, latencyMs: nil)
            #expect(try await store.isCancelled(id) == false)
            #expect(try await store.cancel(id, visibleTo: .all) == .cancelled)
            #expect(try await store.isCancelled(id))
            #expect(try await store.cancel(id, visibleTo: .all) == .alreadyFinished(.cancelled))
            #expect(try await store.cancel(UUID(), visibleTo: .all) == .notFound)
            #expect(try await store.isCancelled(UUID()) == false)
            for item in ["2", "3"] {
                let outcome = try await store.recordItemResult(
                    jobID: id, itemID: item, status: .skipped, outputURI: nil, error: nil, latencyMs: nil)
                #expect(outcome == ItemResultOutcome(counted: true, completedJob: false))
            }
            let job = try #require(try await store.job(id))
            #expect(job.status == .cancelled && job.skipped == 2 && job.processed == 3)
            #expect(try await store.markRunning(id) == false)
            #expect(try await store.fail(id, error: "too late") == false)
        }
    }

    @Test("a job first seen from Kafka has no total and never completes by counting")
    func ensureJobWithUnknownTotal() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            #expect(try await store.ensureJob(id: id, model: "m", version: "2", outputPrefix: nil))
            try await store.recordItemAttempt(jobID: id, itemID: "x", error: "backend unavailable")
            let pending = try #require(try await store.item(jobID: id, itemID: "x"))
            #expect(pending.status == .pending && pending.attempts == 1 && pending.error == "backend unavailable")
            let outcome = try await store.recordItemResult(
                jobID: id, itemID: "x", status: .succeeded, outputURI: "s3://b/x.json", error: nil, latencyMs: 1)
            #expect(outcome == ItemResultOutcome(counted: true, completedJob: false))
            let item = try #require(try await store.item(jobID: id, itemID: "x"))
            #expect(item.attempts == 2 && item.status == .succeeded)
            let job = try #require(try await store.job(id))
            #expect(job.total == nil && job.progress == nil && job.status == .running && job.succeeded == 1)
            #expect(try await store.fail(id, error: "producer gave up"))
            #expect(try await store.job(id)?.error == "producer gave up")
            #expect(try await store.recentJobs(status: .failed).map(\.id) == [id])
        }
    }

    @Test("results for unknown jobs and non-final statuses are refused")
    func refusesInvalidResults() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let missing = await #expect(throws: PlatformStoreError.self) {
                try await store.recordItemResult(
                    jobID: UUID(), itemID: "a", status: .succeeded, outputURI: nil, error: nil, latencyMs: nil)
            }
            #expect(missing?.isJobNotFound == true)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: 0, callbackURL: nil, outputPrefix: nil)
            #expect(try await store.job(id)?.status == .completed)
            await #expect(throws: PlatformStoreError.self) {
                try await store.recordItemResult(
                    jobID: id, itemID: "a", status: .pending, outputURI: nil, error: nil, latencyMs: nil)
            }
        }
    }
}
