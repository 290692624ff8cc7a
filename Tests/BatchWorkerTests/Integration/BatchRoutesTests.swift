import BatchWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InferenceProtocol
import Kafka
import PlatformStore
import Testing

/// The gateway's batch API over the real PostgreSQL and broker (no worker runs).
@Suite(
    "Batch HTTP API", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchRoutesTests {
    static let token = "Bearer batch-scope"

    func withApp(_ body: @Sendable (BatchFixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await BatchFixture.make("routes")
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let router = Router(context: BasicRequestContext.self)
        let submitter = BatchSubmitter(
            store: fixture.store, producer: producer, topic: fixture.requestsTopic, logger: BatchFixture.logger)
        BatchRoutes<BasicRequestContext>(submitter: submitter, store: fixture.store) { request, _ in
            guard request.headers[.authorization] == Self.token else {
                throw InferenceError.forbidden("the batch scope is required")
            }
        }.register(on: router)
        do {
            try await Application(router: router).test(.router) { client in try await body(fixture, client) }
        } catch {
            await producer.shutdown()
            await fixture.shutdown()
            throw error
        }
        await producer.shutdown()
        _ = try? await producerTask.value
        await fixture.shutdown()
    }

    static let jsonBody = """
        {"model": "simple", "callback_url": "http://127.0.0.1:9/done", "items": [
          {"id": "a", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
                                 {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]},
          {"id": "b", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},
                                 {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]}]}]}
        """

    @Test("submit → 202 with a job id; status, results and cancel; a second cancel is a conflict")
    func lifecycle() async throws {
        try await withApp { fixture, client in
            let auth: HTTPFields = [.authorization: Self.token, .contentType: "application/json"]
            let jobID = try await client.execute(
                uri: "/v1/batches", method: .post, headers: auth, body: ByteBuffer(string: Self.jsonBody)
            ) { response -> String in
                #expect(response.status == .accepted)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["total"] as? Int == 2)
                #expect(response.headers[.location] == "/v1/batches/\(object?["job_id"] as? String ?? "")")
                return try #require(object?["job_id"] as? String)
            }
            try await client.execute(uri: "/v1/batches/\(jobID)", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["status"] as? String == "queued")
                #expect(object?["total"] as? Int == 2)
                #expect(object?["progress"] as? Double == 0)
                #expect(object?["callback_url"] as? String == "http://127.0.0.1:9/done")
            }
            let id = try #require(UUID(uuidString: jobID))
            _ = try await fixture.store.recordItemResult(
                jobID: id, itemID: "a", status: .succeeded, outputURI: "s3://b/k", error: nil, latencyMs: 1)
            try await client.execute(uri: "/v1/batches/\(jobID)/results?limit=1", method: .get, headers: auth) {
                response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let items = object?["items"] as? [[String: Any]]
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

    @Test("a JSON Lines upload with ?model= is accepted")
    func jsonLines() async throws {
        try await withApp { _, client in
            let lines = """
                {"id": "x1", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}, {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]}
                {"id": "x2", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 16], "data": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}, {"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]}
                """
            try await client.execute(
                uri: "/v1/batches?model=simple", method: .post,
                headers: [.authorization: Self.token, .contentType: "application/x-ndjson"],
                body: ByteBuffer(string: lines)
            ) { response in
                #expect(response.status == .accepted)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["total"] as? Int == 2)
            }
        }
    }

    @Test("refusals: no scope 403, bad body 400, duplicate ids 400, unknown job 404, bad id 400")
    func refusals() async throws {
        try await withApp { _, client in
            let auth: HTTPFields = [.authorization: Self.token, .contentType: "application/json"]
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
