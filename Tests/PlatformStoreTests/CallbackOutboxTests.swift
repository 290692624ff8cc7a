import Foundation
import PlatformStore
import PostgresClient
import TestSupport
import Testing

@Suite("Callback outbox", .serialized, .timeLimit(.minutes(2)))
struct CallbackOutboxTests {
    @Test("recording is idempotent per job and needs the job; the status starts pending with no attempt")
    func enqueue() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let outbox = store.callbackOutbox
            let id = try await Self.job(store)
            #expect(try await outbox.delivery(jobID: id) == nil)
            #expect(try await outbox.enqueue(jobID: id, url: "https://a.example/hook", body: #"{"n":1}"#))
            #expect(try await !outbox.enqueue(jobID: id, url: "https://b.example/hook", body: #"{"n":2}"#))
            let delivery = try #require(try await outbox.delivery(jobID: id))
            #expect(delivery.state == .pending && delivery.attempts == 0 && delivery.lastError == nil)
            let claim = try #require(try await outbox.claim(limit: 10, lease: .seconds(60)).first)
            #expect(claim.url == "https://a.example/hook" && claim.body == #"{"n":1}"# && claim.attempt == 1)
            await #expect(throws: PlatformStoreError.jobNotFound) {
                try await outbox.enqueue(jobID: UUID(), url: "https://a.example/", body: "{}")
            }
        }
    }

    @Test("a claim counts an attempt and hides the row for its lease; retry, delivered and failed are recorded")
    func lifecycle() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let outbox = store.callbackOutbox
            let (a, b) = (try await Self.job(store), try await Self.job(store))
            try await outbox.enqueue(jobID: a, url: "https://a.example/", body: "{}")
            try await outbox.enqueue(jobID: b, url: "https://b.example/", body: "{}")

            let first = try await outbox.claim(limit: 10, lease: .seconds(60))
            #expect(Set(first.map(\.jobID)) == [a, b])
            #expect(try await outbox.claim(limit: 10, lease: .seconds(60)).isEmpty, "claimed rows are not due")

            let claimA = try #require(first.first { $0.jobID == a })
            let claimB = try #require(first.first { $0.jobID == b })
            #expect(try await outbox.finish(claimA, as: .retry(after: .zero, error: "the receiver answered HTTP 503")))
            let retried = try #require(try await outbox.delivery(jobID: a))
            #expect(retried.state == .pending && retried.attempts == 1)
            #expect(retried.lastError == "the receiver answered HTTP 503")
            let second = try #require(try await outbox.claim(limit: 10, lease: .seconds(60)).first)
            #expect(second.jobID == a && second.attempt == 2)
            #expect(try await outbox.finish(second, as: .failed(error: "budget spent")))
            #expect(try await outbox.finish(claimB, as: .delivered))

            let failed = try #require(try await outbox.delivery(jobID: a))
            #expect(failed.state == .failed && failed.attempts == 2 && failed.lastError == "budget spent")
            #expect(failed.finishedAt != nil)
            let delivered = try #require(try await outbox.delivery(jobID: b))
            #expect(delivered.state == .delivered && delivered.attempts == 1 && delivered.lastError == nil)
            #expect(try await outbox.claim(limit: 10, lease: .zero).isEmpty, "final rows are never claimed")
            #expect(try await !outbox.finish(claimB, as: .failed(error: "late")), "a final row does not change")
        }
    }

    @Test("a claim whose lease ran out is taken over, and its late result changes nothing")
    func expiredLease() async throws {
        try await StoreTestDatabase.withStore { pool in
            let store = BatchJobStore(pool: pool)
            let outbox = store.callbackOutbox
            let id = try await Self.job(store)
            try await outbox.enqueue(jobID: id, url: "https://a.example/", body: "{}")
            let stale = try #require(try await outbox.claim(limit: 1, lease: .zero).first)
            let current = try #require(try await outbox.claim(limit: 1, lease: .seconds(60)).first)
            #expect(current.attempt == 2 && current.token != stale.token)
            #expect(try await !outbox.finish(stale, as: .delivered))
            #expect(try await outbox.delivery(jobID: id)?.state == .pending)
            #expect(try await outbox.finish(current, as: .delivered))
        }
    }

    @Test("concurrent claimers share the due rows without overlap (SKIP LOCKED)")
    func concurrentClaims() async throws {
        try await StoreTestDatabase.withStore(poolSize: 6) { pool in
            let store = BatchJobStore(pool: pool)
            let outbox = store.callbackOutbox
            var ids = Set<UUID>()
            for _ in 0..<40 {
                let id = try await Self.job(store)
                try await outbox.enqueue(jobID: id, url: "https://a.example/", body: "{}")
                ids.insert(id)
            }
            let claimed = try await withThrowingTaskGroup(of: [CallbackClaim].self) { group in
                for _ in 0..<4 { group.addTask { try await outbox.claim(limit: 15, lease: .seconds(60)) } }
                var all: [CallbackClaim] = []
                for try await batch in group { all += batch }
                return all
            }
            #expect(claimed.count == 40, "every due row is claimed once")
            #expect(Set(claimed.map(\.jobID)) == ids)
            #expect(claimed.allSatisfy { $0.attempt == 1 })
        }
    }

    private static func job(_ store: BatchJobStore) async throws -> UUID {
        let id = UUID()
        try await store.createJob(
            id: id, model: "m", version: nil, total: 1, callbackURL: "https://a.example/", outputPrefix: nil)
        return id
    }
}
