import TritonClient
import BatchAPI
import BatchProtocol
import BatchWorker
import CurlHTTP
import Foundation
import InferenceProtocol
import Kafka
import PlatformStore
import TestSupport
import Testing

/// Items that can never succeed, jobs from external producers, cancelled jobs.
@Suite(
    "Batch worker with poison items", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchWorkerFailureTests {
    @Test("poison items reach the DLQ with a reason; the job completes with the right failed count; callback retried")
    func poisonItems() async throws {
        let fixture = try await BatchFixture.make("poison")
        defer { Task { await fixture.shutdown() } }
        let good = 300
        let poison = PoisonItems.all
        let unreadable = 1
        async let deadLetters = fixture.readTopic(fixture.deadLetterTopic, count: poison.count + unreadable)
        async let events = fixture.readTopic(fixture.eventsTopic, count: 2)

        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let receiver = CallbackReceiver(failFirst: 1)
        let callbackURL = try await receiver.start()
        let jobID = try await fixture.submitSimpleJob(
            count: good, producer: producer, extra: poison, callbackURL: callbackURL)
        let cancelledJob = try await fixture.submitSimpleJob(count: 50, producer: producer)
        #expect(try await fixture.store.cancel(cancelledJob, visibleTo: .all) == .cancelled)
        // An external producer: a job the database has never seen, and a value that is not an item.
        let externalJob = UUID()
        for index in 0..<20 {
            let message = BatchItemMessage(
                jobID: externalJob, itemID: SimpleModel.itemID(index), model: "simple",
                request: SimpleModel.request(index), jobTotal: 20)
            _ = try await producer.send(
                topic: fixture.requestsTopic, key: Array(externalJob.uuidString.lowercased().utf8),
                value: try message.encoded())
        }
        _ = try await producer.send(topic: fixture.requestsTopic, key: nil, value: Array("not an item".utf8))

        let worker = try InProcessWorker(
            fixture: fixture, groupID: BatchFixture.uniqueName("poison"),
            inference: PoisonRejectingInference(
                base: RouterInference(
                    baseURL: fixture.routerURL, connector: TritonConnector(transport: fixture.transport))))
        worker.start()
        let job = try await fixture.waitForJob(jobID)
        let external = try await fixture.waitForJob(externalJob)
        let cancelled = try await fixture.waitForJob(cancelledJob) { $0.skipped == 50 }
        let letters = try await deadLetters
        let announced = try await events
        let callbacks = try await eventuallyValue("the job's callback", within: .seconds(15)) {
            let received = receiver.received
            return received.bodies.isEmpty ? nil : received
        }
        await receiver.stop()
        await worker.stop()
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(job.status == .completed)
        #expect(job.succeeded == good && job.failed == poison.count)
        let rows = try await fixture.items(of: jobID)
        let failedRows = rows.filter { $0.status == .failed }
        #expect(Set(failedRows.map(\.itemID)) == Set(poison.map(\.id)))
        #expect(failedRows.allSatisfy { !($0.error ?? "").isEmpty })
        let layout = try await fixture.verifyShards(of: jobID)
        #expect(layout.problems.isEmpty, "\(layout.problems.prefix(5))")
        #expect(external.status == .completed && external.total == 20 && external.succeeded == 20)
        #expect(cancelled.status == .cancelled && cancelled.succeeded == 0)

        let records = letters.compactMap { try? JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any] }
        #expect(records.count == poison.count + unreadable)
        let ofJob = records.filter { $0["job_id"] as? String == jobID.uuidString.lowercased() }
        #expect(Set(ofJob.compactMap { $0["item_id"] as? String }) == Set(poison.map(\.id)))
        #expect(records.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty && $0["error_code"] is String })
        #expect(ofJob.allSatisfy { $0["original"] is [String: Any] })
        #expect(records.contains { $0["original_base64"] as? String == Data("not an item".utf8).base64EncodedString() })
        let rejected = ofJob.first { $0["item_id"] as? String == "poison-value-0" }
        #expect(rejected?["error_code"] as? String == "rejected_by_model")
        let completedJobs = announced.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any])?["job_id"] as? String
        }
        #expect(
            Set(completedJobs) == [jobID.uuidString.lowercased(), externalJob.uuidString.lowercased()])
        #expect(callbacks.attempts >= 2, "the first callback was refused and retried")
        let callback = try #require(callbacks.bodies.first)
        let notice = try JSONSerialization.jsonObject(with: callback) as? [String: Any]
        #expect(notice?["job_id"] as? String == jobID.uuidString.lowercased())
        #expect(notice?["failed"] as? Int == poison.count)
        for record in records.prefix(3) {
            print("dead letter: \(record["item_id"] ?? "-"): \(record["error_code"] ?? "") \(record["reason"] ?? "")")
        }
    }
}

/// Items the `simple` model can never run.
enum PoisonItems {
    static var all: [BatchSubmission.Item] {
        var items: [BatchSubmission.Item] = []
        for index in 0..<5 {
            // Same layout as good items (so batched with them); the model below refuses the value.
            var request = SimpleModel.request(index)
            request.inputs[0] = InferTensor(
                name: "INPUT0", shape: [1, 16], values: [Int32](repeating: PoisonRejectingInference.poison, count: 16))
            items.append(.init(id: "poison-value-\(index)", request: request))
        }
        for index in 0..<3 {
            var request = SimpleModel.request(index)
            request.inputs[1] = InferTensor(name: "INPUT1", shape: [1, 16], values: [Float](repeating: 1, count: 16))
            items.append(.init(id: "poison-datatype-\(index)", request: request))
        }
        for index in 0..<2 {
            let values = [Int32](repeating: 1, count: 15)
            let request = InferRequest(inputs: [
                InferTensor(name: "INPUT0", shape: [1, 15], values: values),
                InferTensor(name: "INPUT1", shape: [1, 15], values: values),
            ])
            items.append(.init(id: "poison-shape-\(index)", request: request))
        }
        let missing = InferRequest(inputs: [InferTensor(name: "INPUT0", shape: [1, 16], values: SimpleModel.input0(1))])
        items.append(.init(id: "poison-missing-input", request: missing))
        return items
    }
}

/// The router, except that any request containing the poison value is refused with 400, as a
/// model that validates its input values would: a batch holding one poison row fails whole.
struct PoisonRejectingInference: BatchInference {
    static let poison: Int32 = -7777
    let base: RouterInference

    func infer(_ request: InferRequest, model: String, version: String?) async throws -> InferResponse {
        if let input = request.input(named: "INPUT0"), try input.values(as: Int32.self).contains(Self.poison) {
            throw UpstreamError.httpStatus(400, message: "INPUT0 holds the reserved value \(Self.poison)")
        }
        return try await base.infer(request, model: model, version: version)
    }

    func describe(model: String, version: String?) async throws -> ModelDescription {
        try await base.describe(model: model, version: version)
    }

    func isReady(model: String?, version: String?) async -> Bool {
        await base.isReady(model: model, version: version)
    }
}
