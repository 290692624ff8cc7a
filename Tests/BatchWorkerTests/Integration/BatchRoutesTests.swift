import BatchWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PlatformStore
import Testing

/// The gateway's batch API over the real PostgreSQL and broker (no worker runs): the job
/// lifecycle and tenant isolation.
@Suite(
    "Batch HTTP API", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchRoutesTests {
    typealias Harness = BatchRoutesHarness

    static let jsonBody = """
        {"model": "simple", "callback_url": "http://127.0.0.1:9/done", "items": [
          {"id": "a", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
                                 {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]},
          {"id": "b", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
                                 {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]}]}]}
        """

    @Test(
        "submit → 202 with a job id; status (no callback URL echoed), results and cancel; a second cancel is a conflict"
    )
    func lifecycle() async throws {
        try await Harness().run { fixture, client in
            let auth = Harness.caller("key:alice", contentType: "application/json")
            let jobID = try await client.execute(
                uri: "/v1/batches", method: .post, headers: auth, body: ByteBuffer(string: Self.jsonBody)
            ) { response -> String in
                #expect(response.status == .accepted)
                let object = try Harness.object(response)
                #expect(object["total"] as? Int == 2)
                #expect(response.headers[.location] == "/v1/batches/\(object["job_id"] as? String ?? "")")
                return try #require(object["job_id"] as? String)
            }
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let object = try Harness.object(response)
                #expect(object["status"] as? String == "queued")
                #expect(object["total"] as? Int == 2)
                #expect(object["progress"] as? Double == 0)
                #expect(object["has_callback"] as? Bool == true)
                #expect(object["callback_url"] == nil)
                #expect(!String(buffer: response.body).contains("127.0.0.1:9"))
            }
            let id = try #require(UUID(uuidString: jobID))
            #expect(try await fixture.store.job(id)?.owner == "key:alice")
            _ = try await fixture.store.recordItemResult(
                jobID: id, itemID: "a", status: .succeeded, outputURI: "s3://b/k", error: nil, latencyMs: 1)
            try await client.execute(uri: "/v1/batches/\(jobID)/results?limit=1", method: .get, headers: auth) {
                response in
                #expect(response.status == .ok)
                let items = try Harness.object(response)["items"] as? [[String: Any]]
                #expect(items?.first?["item_id"] as? String == "a")
                #expect(items?.first?["output_uri"] as? String == "s3://b/k")
            }
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .delete, headers: auth) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .delete, headers: auth) { response in
                #expect(response.status == .conflict)
            }
            #expect(try await fixture.store.job(id)?.status == .cancelled)
        }
    }

    @Test("another principal gets 404 for status, results and cancel of a job; the owner and an admin do not")
    func tenantIsolation() async throws {
        try await Harness().run { fixture, client in
            let jobID = try await Harness.submit(client, as: "key:alice")
            let id = try #require(UUID(uuidString: jobID))
            _ = try await fixture.store.recordItemResult(
                jobID: id, itemID: "item-0", status: .succeeded, outputURI: "s3://b/secret", error: nil, latencyMs: 1)
            let mallory = Harness.caller("key:mallory")
            // A JWT subject with the same name is another principal.
            let sameNameToken = Harness.caller("jwt:alice")
            for intruder in [mallory, sameNameToken] {
                for (path, method) in [
                    ("/v1/batches/\(jobID)", HTTPRequest.Method.get), ("/v1/batches/\(jobID)/results", .get),
                    ("/v1/batches/\(jobID)", .delete),
                ] {
                    try await client.execute(uri: path, method: method, headers: intruder) { response in
                        #expect(response.status == .notFound, "\(method) \(path)")
                        #expect(!String(buffer: response.body).contains("secret"))
                    }
                }
            }
            // Not found and not visible read the same.
            let unknown = UUID().uuidString.lowercased()
            let answers = try await [jobID, unknown].asyncMap { job in
                try await client.execute(uri: "/v1/batches/\(job)", method: .get, headers: mallory) {
                    String(buffer: $0.body).replacingOccurrences(of: job, with: "ID")
                }
            }
            #expect(answers[0] == answers[1])
            #expect(try await fixture.store.job(id)?.status == .running, "an intruder's DELETE must not cancel it")
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .get, headers: Harness.caller("key:alice")) {
                #expect($0.status == .ok)
            }
            let admin = Harness.caller("key:ops", admin: true)
            try await client.execute(uri: "/v1/batches/\(jobID)/results", method: .get, headers: admin) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("s3://b/secret"))
            }
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .delete, headers: admin) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test("a job without an owner (produced straight to Kafka without one) is seen by an admin only")
    func ownerlessJob() async throws {
        try await Harness().run { fixture, client in
            let id = UUID()
            try await fixture.store.ensureJob(id: id, model: "simple", version: nil, outputPrefix: nil)
            let path = "/v1/batches/\(id.uuidString.lowercased())"
            try await client.execute(uri: path, method: .get, headers: Harness.caller("key:alice")) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: path, method: .get, headers: Harness.caller("key:ops", admin: true)) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test("a completion window sets expires_at; a job whose items expired ends expired, not completed")
    func completionWindow() async throws {
        try await Harness().run { fixture, client in
            let auth = Harness.caller("key:alice", contentType: "application/json")
            let body = Self.jsonBody.replacingOccurrences(
                of: "{\"model\": \"simple\",", with: "{\"model\": \"simple\", \"completion_window\": \"90m\",")
            let jobID = try await client.execute(
                uri: "/v1/batches", method: .post, headers: auth, body: ByteBuffer(string: body)
            ) {
                response -> String in
                #expect(response.status == .accepted)
                return try #require(try Harness.object(response)["job_id"] as? String)
            }
            let id = try #require(UUID(uuidString: jobID))
            let job = try #require(try await fixture.store.job(id))
            let window = try #require(job.expiresAt).timeIntervalSince(job.createdAt)
            #expect(abs(window - 5400) < 1, "expires_at is created_at + 90m")
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .get, headers: auth) { response in
                let object = try Harness.object(response)
                #expect(object["expires_at"] is String)
            }
            _ = try await fixture.store.recordItemResult(
                jobID: id, itemID: "a", status: .succeeded, outputURI: "s3://b/k", error: nil, latencyMs: 1)
            #expect(try await fixture.store.job(id)?.status == .running)
            _ = try await fixture.store.recordItemResults([
                ItemResult(
                    jobID: id, itemID: "b", status: .failed, outputURI: nil, error: "window ended",
                    errorCode: BatchItem.expiredErrorCode, latencyMs: nil)
            ])
            let ended = try #require(try await fixture.store.job(id))
            #expect(ended.status == .expired && ended.finishedAt != nil && ended.succeeded == 1 && ended.failed == 1)

            let bad = Self.jsonBody.replacingOccurrences(
                of: "{\"model\": \"simple\",", with: "{\"model\": \"simple\", \"completion_window\": \"2d\",")
            try await client.execute(uri: "/v1/batches", method: .post, headers: auth, body: ByteBuffer(string: bad)) {
                response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("completion_window must be"))
            }
        }
    }

    @Test("refusals: no principal 403, bad body 400, duplicate ids 400, unknown job 404, bad id 400")
    func refusals() async throws {
        try await Harness().run { _, client in
            let auth = Harness.caller("key:alice", contentType: "application/json")
            try await client.execute(uri: "/v1/batches", method: .post, body: ByteBuffer(string: Self.jsonBody)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/v1/batches", method: .post, headers: auth, body: ByteBuffer(string: "{")) {
                response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("error"))
            }
            let duplicate = Self.jsonBody.replacingOccurrences(of: "\"id\": \"b\"", with: "\"id\": \"a\"")
            try await client.execute(
                uri: "/v1/batches", method: .post, headers: auth, body: ByteBuffer(string: duplicate)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("more than once"))
            }
            try await client.execute(uri: "/v1/batches/\(UUID())", method: .get, headers: auth) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/batches/not-a-uuid", method: .get, headers: auth) {
                #expect($0.status == .badRequest)
            }
        }
    }
}

extension Array {
    /// Maps in order, awaiting each element.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
