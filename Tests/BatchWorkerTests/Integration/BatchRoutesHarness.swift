import BatchAPI
import BatchWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InferenceProtocol
import Kafka
import PlatformStore

/// The batch routes over the stack's PostgreSQL and broker (no worker runs), with callers named
/// by test headers: `x-test-principal` is the principal id, `x-test-admin: 1` makes it an
/// administrator; no principal is refused with 403.
struct BatchRoutesHarness {
    static let principal = HTTPField.Name("x-test-principal")!
    static let admin = HTTPField.Name("x-test-admin")!

    var maxBodyBytes = 32 << 20
    var maxJSONBodyBytes = 4 << 20
    var maxLineBytes = 512 << 10
    var chunkSize = 100
    var admit: BatchAdmission?
    /// Over a real HTTP server on loopback, so a body arrives in many chunks.
    var live = false

    /// Headers of a call by `principal` (an administrator when `admin`).
    static func caller(_ principal: String, admin: Bool = false, contentType: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [Self.principal: principal]
        if admin { fields[Self.admin] = "1" }
        if let contentType { fields[.contentType] = contentType }
        return fields
    }

    func run(_ body: @Sendable (BatchFixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await BatchFixture.make("routes")
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let router = Router(context: BasicRequestContext.self)
        let submitter = BatchSubmitter(
            store: fixture.store, producer: producer, topic: fixture.requestsTopic, chunkSize: chunkSize,
            logger: BatchFixture.logger)
        BatchRoutes<BasicRequestContext>(
            submitter: submitter, store: fixture.store, maxBodyBytes: maxBodyBytes, maxJSONBodyBytes: maxJSONBodyBytes,
            maxLineBytes: maxLineBytes, admit: admit, results: BatchResultReader(objects: fixture.objects)
        ) { request, _ in
            guard let principal = request.headers[Self.principal] else {
                throw InferenceError.forbidden("the batch scope is required")
            }
            return BatchCaller(owner: principal, seesAllJobs: request.headers[Self.admin] == "1")
        }.register(on: router)
        do {
            let application = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await application.test(live ? .live : .router) { client in try await body(fixture, client) }
        } catch {
            await producer.shutdown()
            await fixture.shutdown()
            throw error
        }
        await producer.shutdown()
        _ = try? await producerTask.value
        await fixture.shutdown()
    }

    /// One JSON Lines line of a `simple` item.
    static func line(_ id: String, input0Name: String = "INPUT0") -> String {
        let zeros = [String](repeating: "0", count: 16).joined(separator: ",")
        return
            #"{"id": "\#(id)", "inputs": [{"name": "\#(input0Name)", "datatype": "INT32", "shape": [1, 16], "data": [\#(zeros)]}, "#
            + #"{"name": "INPUT1", "datatype": "INT32", "shape": [1, 16], "data": [\#(zeros)]}]}"#
    }

    /// `count` lines `item-0`…, newline-terminated.
    static func lines(_ count: Int, from start: Int = 0) -> String {
        (start..<start + count).map { line("item-\($0)") + "\n" }.joined()
    }

    /// The JSON object of a response body.
    static func object(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
    }

    /// Submits `count` lines as `principal`; returns the job id.
    static func submit(_ client: any TestClientProtocol, as principal: String, count: Int = 2) async throws -> String {
        try await client.execute(
            uri: "/v1/batches?model=simple", method: .post,
            headers: caller(principal, contentType: "application/x-ndjson"), body: ByteBuffer(string: lines(count))
        ) { response in
            guard response.status == .accepted, let id = try object(response)["job_id"] as? String else {
                throw HarnessError(what: "submit answered \(response.status): \(String(buffer: response.body))")
            }
            return id
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let what: String
    var description: String { what }
}
