import Foundation
import PlatformStore
import PostgresClient
import Testing

@Suite("Batch job owners and streamed totals on the stack's PostgreSQL", .serialized, .timeLimit(.minutes(2)))
struct BatchJobOwnerTests {
    @Test("reads, pages and cancels filter by owner in SQL; .all sees every job, owner-less jobs included")
    func ownerFilter() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let alice = UUID()
            let orphan = UUID()
            try await store.createJob(
                id: alice, model: "m", version: nil, total: 2, callbackURL: nil, outputPrefix: nil, owner: "key:alice")
            try await store.ensureJob(id: orphan, model: "m", version: nil, outputPrefix: nil)
            try await store.recordItemResult(
                jobID: alice, itemID: "a", status: .succeeded, outputURI: "s3://b/a", error: nil, latencyMs: nil)

            #expect(try await store.job(alice, visibleTo: .owner("key:alice"))?.owner == "key:alice")
            #expect(try await store.job(alice, visibleTo: .owner("key:bob")) == nil)
            #expect(try await store.job(alice, visibleTo: .owner("jwt:alice")) == nil)
            #expect(try await store.job(orphan, visibleTo: .owner("key:alice")) == nil)
            #expect(try await store.job(orphan, visibleTo: .all) != nil)

            #expect(try await store.items(jobID: alice, visibleTo: .owner("key:bob")).items.isEmpty)
            #expect(try await store.items(jobID: alice, visibleTo: .owner("key:alice")).items.map(\.itemID) == ["a"])

            #expect(try await store.cancel(alice, visibleTo: .owner("key:bob")) == .notFound)
            #expect(try await store.cancel(orphan, visibleTo: .owner("key:alice")) == .notFound)
            #expect(try await store.job(alice)?.status == .running)
            #expect(try await store.cancel(alice, visibleTo: .owner("key:alice")) == .cancelled)
            #expect(try await store.cancel(orphan, visibleTo: .all) == .cancelled)

            let mine = try await store.recentJobs(visibleTo: .owner("key:alice"))
            #expect(mine.map(\.id) == [alice])
            #expect(Set(try await store.recentJobs(visibleTo: .all).map(\.id)) == [alice, orphan])
        }
    }

    @Test("a job created without a total completes once its total is set and every item is counted")
    func totalSetLater() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(
                id: id, model: "m", version: nil, total: nil, callbackURL: nil, outputPrefix: nil, owner: "key:a")
            let first = try await store.recordItemResult(
                jobID: id, itemID: "1", status: .succeeded, outputURI: nil, error: nil, latencyMs: nil)
            #expect(first == ItemResultOutcome(counted: true, completedJob: false))
            #expect(try await store.job(id)?.total == nil)
            #expect(try await store.setTotal(id, total: 2))
            #expect(try await store.setTotal(id, total: 5) == false, "a total is set once")
            let last = try await store.recordItemResult(
                jobID: id, itemID: "2", status: .succeeded, outputURI: nil, error: nil, latencyMs: nil)
            #expect(last == ItemResultOutcome(counted: true, completedJob: true))
            #expect(try await store.job(id)?.status == .completed)
        }
    }

    @Test("an abandoned upload's job is cancelled with the reason, and only while unfinished")
    func abandon() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let id = UUID()
            try await store.createJob(id: id, model: "m", version: nil, total: nil, callbackURL: nil, outputPrefix: nil)
            #expect(try await store.abandon(id, error: "line 7 is not a JSON object"))
            let job = try #require(try await store.job(id))
            #expect(job.status == .cancelled && job.error == "line 7 is not a JSON object" && job.finishedAt != nil)
            #expect(try await store.abandon(id, error: "again") == false)
            #expect(try await store.isCancelled(id))
        }
    }
}
