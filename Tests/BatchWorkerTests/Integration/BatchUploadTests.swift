import BatchProtocol
import BatchWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InferenceProtocol
import PlatformStore
import Synchronization
import TestSupport
import Testing

/// Streamed uploads over the real PostgreSQL and broker: limits, per-line errors, submit-time
/// validation and per-item admission.
@Suite(
    "Batch uploads", .serialized, .timeLimit(.minutes(4)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchUploadTests {
    typealias Harness = BatchRoutesHarness
    /// A principal of its own per test, so the stack's other jobs never match its queries.
    let owner = "key:uploader-" + UUID().uuidString.lowercased()
    var jsonLines: HTTPFields { Harness.caller(owner, contentType: "application/x-ndjson") }

    /// The newest job of this test's principal.
    func newestJob(_ fixture: BatchFixture) async throws -> BatchJob? {
        try await fixture.store.recentJobs(visibleTo: .owner(owner), limit: 1).first
    }

    @Test("a JSON Lines upload spanning many chunks is accepted whole, with its total and owner")
    func manyChunks() async throws {
        try await Harness(chunkSize: 7).run { fixture, client in
            let jobID = try await client.execute(
                uri: "/v1/batches?model=simple", method: .post, headers: jsonLines,
                body: ByteBuffer(string: "\u{FEFF}" + Harness.lines(50) + "\n  \n" + Harness.line("last"))
            ) { response -> String in
                #expect(response.status == .accepted)
                #expect(try Harness.object(response)["total"] as? Int == 51)
                return try #require(try Harness.object(response)["job_id"] as? String)
            }
            let id = try #require(UUID(uuidString: jobID))
            let job = try #require(try await fixture.store.job(id))
            #expect(job.total == 51 && job.owner == owner && job.status == .queued)
        }
    }

    @Test("a 100,000-item upload is streamed: its job is visible, total unknown, while the lines are produced")
    func hundredThousandItems() async throws {
        // In-process (the live test client gives up after 20 s); the lines are still read, checked
        // and published a chunk at a time as the body is consumed.
        let harness = Harness()
        let owner = self.owner
        let headers = jsonLines
        try await harness.run { fixture, client in
            let count = 100_000
            var body = ""
            body.reserveCapacity(count * 240)
            for index in 0..<count { body += Harness.line("item-\(index)") + "\n" }
            let upload = Task {
                try await client.execute(
                    uri: "/v1/batches?model=simple", method: .post, headers: headers, body: ByteBuffer(string: body)
                ) { response -> (HTTPResponse.Status, Int?) in
                    (response.status, try Harness.object(response)["total"] as? Int)
                }
            }
            // Visible while it is produced: created with the first chunk, its total set at the end.
            let during = try await eventuallyValue("the job visible during the upload", within: .seconds(60)) {
                try? await fixture.store.recentJobs(visibleTo: .owner(owner), limit: 1).first.flatMap {
                    $0.total == nil ? $0 : nil
                }
            }
            #expect(during.status == .queued)
            let (status, total) = try await upload.value
            #expect(status == .accepted && total == count)
            let job = try #require(try await fixture.store.job(during.id))
            #expect(job.total == count && job.status == .queued)
        }
    }

    @Test("a body past the limit is refused with 413 naming the limit as its bytes arrive; its job is cancelled")
    func bodyLimit() async throws {
        try await Harness(maxBodyBytes: 200_000, chunkSize: 100, live: true).run { fixture, client in
            try await client.execute(
                uri: "/v1/batches?model=simple", method: .post, headers: jsonLines,
                body: ByteBuffer(string: Harness.lines(4000))
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("200000 bytes"))
            }
            let job = try #require(try await newestJob(fixture))
            #expect(job.status == .cancelled && job.total == nil)
            #expect(job.error?.contains("200000") == true)
        }
    }

    @Test("a line past the per-line cap is refused with 413 naming the line")
    func lineLimit() async throws {
        try await Harness(maxLineBytes: 1024).run { _, client in
            let long = Harness.line("big").replacingOccurrences(
                of: "[0,", with: "[" + String(repeating: " ", count: 2000) + "0,")
            try await client.execute(
                uri: "/v1/batches?model=simple", method: .post, headers: jsonLines,
                body: ByteBuffer(string: Harness.lines(2) + long + "\n")
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("line 3"))
            }
        }
    }

    @Test(
        "names with control characters and bad callback URLs are refused at submit with 400 naming field and line",
        arguments: [
            (
                "?model=simple", Harness.lines(1) + Harness.line("x", input0Name: "IN\\u0000PUT0") + "\n", "line 2",
                "inputs[0].name"
            ),
            ("?model=simple", Harness.lines(2) + Harness.line("x\\u0007y") + "\n", "line 3", "item_id"),
            ("?model=sim%00ple", Harness.lines(1), "model", "control character"),
            ("?model=simple&version=1%0A2", Harness.lines(1), "version", "control character"),
            ("?model=simple&callback_url=ftp://h/x", Harness.lines(1), "callback_url", "http"),
            ("?model=simple&callback_url=http://user:pw@h/x", Harness.lines(1), "callback_url", "user name"),
            (
                "?model=simple&callback_url=http://h/" + String(repeating: "a", count: 3000), Harness.lines(1),
                "callback_url", "2048"
            ),
        ])
    func submitValidation(query: String, body: String, field: String, problem: String) async throws {
        try await Harness().run { fixture, client in
            try await client.execute(
                uri: "/v1/batches" + query, method: .post, headers: jsonLines, body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .badRequest)
                let message = String(buffer: response.body)
                #expect(message.contains(field) && message.contains(problem), "\(message)")
            }
            // Refused before the first chunk was published: no job was left behind.
            #expect(try await newestJob(fixture) == nil)
        }
    }

    @Test("a bad line after chunks were published answers 400 naming it and cancels the job")
    func badLineLate() async throws {
        try await Harness(chunkSize: 3).run { fixture, client in
            try await client.execute(
                uri: "/v1/batches?model=simple", method: .post, headers: jsonLines,
                body: ByteBuffer(string: Harness.lines(10) + "{not json\n" + Harness.lines(3, from: 10))
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("line 11"))
            }
            let job = try #require(try await newestJob(fixture))
            #expect(job.status == .cancelled && job.owner == owner)
            #expect(job.error?.contains("line 11") == true)
        }
    }

    @Test("JSON bodies past their cap get 413 pointing at JSON Lines")
    func jsonCap() async throws {
        try await Harness(maxJSONBodyBytes: 1000).run { _, client in
            let body = #"{"model": "simple", "items": [], "pad": ""# + String(repeating: "x", count: 2000) + #""}"#
            try await client.execute(
                uri: "/v1/batches", method: .post,
                headers: Harness.caller("key:alice", contentType: "application/json"),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("JSON Lines"))
            }
        }
    }

    @Test("items are charged per chunk; a refused chunk stops the upload with 429, Retry-After and the accepted count")
    func admission() async throws {
        let charged = Mutex<[(String, Int)]>([])
        let harness = Harness(
            chunkSize: 4,
            admit: { owner, items in
                let total = charged.withLock { calls in
                    calls.append((owner, items))
                    return calls.reduce(0) { $0 + $1.1 }
                }
                if total > 10 { throw InferenceError.rateLimited(message: "spent", retryAfter: .seconds(7)) }
            })
        try await harness.run { fixture, client in
            let jobID = try await client.execute(
                uri: "/v1/batches?model=simple", method: .post, headers: jsonLines,
                body: ByteBuffer(string: Harness.lines(20))
            ) { response -> String in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "7")
                let object = try Harness.object(response)
                #expect(object["accepted"] as? Int == 8)
                return try #require(object["job_id"] as? String)
            }
            #expect(charged.withLock { $0.map(\.0) }.allSatisfy { $0 == owner })
            #expect(charged.withLock { $0.map(\.1) } == [4, 4, 4])
            // The job keeps the admitted items and can complete with them.
            let id = try #require(UUID(uuidString: jobID))
            let job = try #require(try await fixture.store.job(id))
            #expect(job.total == 8 && job.status == .queued)
            let messages = try await fixture.readTopic(fixture.requestsTopic, count: 8, within: .seconds(60))
            #expect(Set(messages.compactMap { try? BatchItemMessage.decode($0.value).itemID }).count == 8)
        }
    }
}
