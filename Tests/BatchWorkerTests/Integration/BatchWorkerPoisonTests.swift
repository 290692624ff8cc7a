import TritonClient
import BatchAPI
import BatchWorker
import CurlHTTP
import Foundation
import InferenceProtocol
import Kafka
import PlatformStore
import Resilience
import Synchronization
import TestSupport
import Testing

/// No item can wedge the worker: data PostgreSQL refuses, items that keep failing while the
/// router is up, and the outage rule that keeps a broken model from failing good items.
@Suite(
    "Batch worker poison handling and attempt budgets", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchWorkerPoisonTests {
    @Test(
        "an input name with a NUL, produced straight to Kafka, fails alone; later jobs complete, also after a restart")
    func nulInputName() async throws {
        let fixture = try await BatchFixture.make("nul")
        defer { Task { await fixture.shutdown() } }
        // At least once: the first poison may be dead-lettered again after the abrupt stop, so read
        // until both poison jobs have a dead letter.
        async let deadLetters = fixture.readTopic(fixture.deadLetterTopic, count: 2, within: .seconds(200)) {
            Set(
                $0.compactMap { message in
                    (try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any])?["job_id"]
                        as? String
                }
            ).count >= 2
        }
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let groupID = BatchFixture.uniqueName("nul")

        let firstPoison = try await produceNulItem(fixture, producer)
        let firstJob = try await fixture.submitSimpleJob(count: 20, producer: producer)
        let first = try InProcessWorker(fixture: fixture, groupID: groupID, deliversCallbacks: false)
        first.start()
        let firstDone = try await fixture.waitForJob(firstJob)
        let firstPoisonDone = try await fixture.waitForJob(firstPoison)
        // Abrupt: no final commit, so the new member may read the poison again.
        await first.kill()

        let secondPoison = try await produceNulItem(fixture, producer)
        let secondJob = try await fixture.submitSimpleJob(count: 20, producer: producer)
        let second = try InProcessWorker(fixture: fixture, groupID: groupID)
        second.start()
        let secondDone = try await fixture.waitForJob(secondJob)
        let secondPoisonDone = try await fixture.waitForJob(secondPoison)
        let pausedAtEnd = second.consumer.isPaused
        await second.stop()
        let letters = try await deadLetters
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(firstDone.succeeded == 20 && secondDone.succeeded == 20)
        #expect(!pausedAtEnd, "consumption is not paused once the poison is handled")
        for (poison, job) in [(firstPoison, firstPoisonDone), (secondPoison, secondPoisonDone)] {
            #expect(job.status == .completed && job.failed == 1 && job.succeeded == 0)
            let row = try #require(try await fixture.store.item(jobID: poison, itemID: "nul-input"))
            let error = row.error ?? ""
            // Refused when read (a control character in a name) or by the model's metadata check.
            #expect(row.status == .failed && error.contains("name") || error.contains("INPUT0"), "\(error)")
            #expect(!error.unicodeScalars.contains("\u{0}"))
        }
        let records = letters.compactMap { try? JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any] }
        let poisonJobs = Set([firstPoison, secondPoison].map { $0.uuidString.lowercased() })
        let poisonRecords = records.filter { poisonJobs.contains(($0["job_id"] as? String) ?? "") }
        #expect(Set(poisonRecords.compactMap { $0["job_id"] as? String }) == poisonJobs)
        #expect(poisonRecords.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty })
        print(
            "NUL poison dead letter: \(poisonRecords.first?["error_code"] ?? "-"): \(poisonRecords.first?["reason"] ?? "-")"
        )
    }

    @Test("items the model answers with 500 while the router is up fail after their budget, dead-lettered with why")
    func serverErrorBudget() async throws {
        let fixture = try await BatchFixture.make("budget")
        defer { Task { await fixture.shutdown() } }
        let poison = (0..<3).map { index in
            var request = SimpleModel.request(index)
            request.inputs[0] = InferTensor(
                name: "INPUT0", shape: [1, 16], values: [Int32](repeating: CrashingInference.poison, count: 16))
            return BatchSubmission.Item(id: "crash-\(index)", request: request)
        }
        async let deadLetters = fixture.readTopic(fixture.deadLetterTopic, count: poison.count)
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let jobID = try await fixture.submitSimpleJob(count: 100, producer: producer, extra: poison)
        var configuration = fixture.workerConfiguration
        configuration.maxAttempts = 3
        // A fixed wall clock and seeded randomness: records carry the injected date.
        let fixedDate = Date(timeIntervalSince1970: 1_800_000_000)
        let seeded = Mutex(SeededGenerator(seed: 12))
        let worker = try InProcessWorker(
            fixture: fixture, groupID: BatchFixture.uniqueName("budget"),
            inference: CrashingInference(
                base: RouterInference(
                    baseURL: fixture.routerURL, connector: TritonConnector(transport: fixture.transport))),
            configuration: configuration,
            environment: WorkerEnvironment(now: { fixedDate }, random: { seeded.withLock { $0.next() } }))
        worker.start()
        let job = try await fixture.waitForJob(jobID)
        let exhausted = worker.worker.itemsExhausted
        await worker.stop()
        let letters = try await deadLetters
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(job.succeeded == 100 && job.failed == poison.count)
        #expect(exhausted == poison.count)
        let failed = try await fixture.items(of: jobID).filter { $0.status == .failed }
        #expect(Set(failed.map(\.itemID)) == Set(poison.map(\.id)))
        #expect(failed.allSatisfy { ($0.error ?? "").contains("failed 3 times while the router was up") })
        // The model's message carried a NUL: stored, replaced, instead of refused by PostgreSQL.
        #expect(failed.allSatisfy { ($0.error ?? "").contains("crashed on \u{FFFD}") })
        let records = letters.compactMap { try? JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any] }
        #expect(Set(records.compactMap { $0["item_id"] as? String }) == Set(poison.map(\.id)))
        #expect(records.allSatisfy { $0["error_code"] as? String == "attempts_exhausted" })
        #expect(records.allSatisfy { $0["failed_at"] as? String == "2027-01-15T08:00:00Z" }, "the injected clock")
        print("budget dead letter: \(records.first?["reason"] ?? "-")")
    }

    @Test("every item failing while the router says ready is an outage: the canary fails too, no item is failed")
    func everyItemFailing() async throws {
        let fixture = try await BatchFixture.make("outage")
        defer { Task { await fixture.shutdown() } }
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let inference = BreakableInference(
            base: RouterInference(baseURL: fixture.routerURL, connector: TritonConnector(transport: fixture.transport)))
        var configuration = fixture.workerConfiguration
        configuration.maxAttempts = 3
        let worker = try InProcessWorker(
            fixture: fixture, groupID: BatchFixture.uniqueName("outage"), inference: inference,
            configuration: configuration)
        worker.start()
        // A job that succeeds first, so the worker has a canary for the model.
        let before = try await fixture.waitForJob(try await fixture.submitSimpleJob(count: 20, producer: producer))

        inference.broken.store(true, ordering: .relaxed)
        let jobID = try await fixture.submitSimpleJob(count: 40, producer: producer)
        try await eventuallyValue("two health checks finding the model down", within: .seconds(90)) {
            worker.worker.dependencyChecksFailed >= 2 ? () : nil
        }
        let paused = worker.consumer.isPaused
        let whileBroken = try #require(try await fixture.store.job(jobID))
        inference.broken.store(false, ordering: .relaxed)
        let job = try await fixture.waitForJob(jobID)
        let exhausted = worker.worker.itemsExhausted
        await worker.stop()
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(before.succeeded == 20)
        #expect(paused, "consumption paused while every request failed")
        #expect(whileBroken.failed == 0 && whileBroken.succeeded == 0)
        #expect(job.succeeded == 40 && job.failed == 0)
        #expect(exhausted == 0)
    }

    /// Creates a one-item job and produces its item, whose first input's name holds a NUL,
    /// straight to the requests topic; returns the job id.
    private func produceNulItem(_ fixture: BatchFixture, _ producer: KafkaProducer) async throws -> UUID {
        let jobID = UUID()
        try await fixture.store.createJob(
            id: jobID, model: "simple", version: nil, total: 1, callbackURL: nil, outputPrefix: nil)
        let values = (0..<16).map(String.init).joined(separator: ",")
        let value = """
            {"job_id":"\(jobID.uuidString.lowercased())","item_id":"nul-input","model":"simple","inputs":[\
            {"name":"INPUT0\\u0000x","datatype":"INT32","shape":[1,16],"data":[\(values)]},\
            {"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[\(values)]}]}
            """
        _ = try await producer.send(
            topic: fixture.requestsTopic, key: Array(jobID.uuidString.lowercased().utf8), value: Array(value.utf8))
        return jobID
    }
}

/// The router, except that a request holding the poison value gets 500, as from a model that
/// crashes on that input: the router stays ready and other requests succeed.
struct CrashingInference: BatchInference {
    static let poison: Int32 = -5005
    let base: RouterInference

    func infer(_ request: InferRequest, model: String, version: String?) async throws -> InferResponse {
        if let input = request.input(named: "INPUT0"), try input.values(as: Int32.self).contains(Self.poison) {
            throw UpstreamError.httpStatus(500, message: "the model crashed on \u{0}this input")
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

/// The router, except that while ``broken`` every inference gets 500 though the router reports
/// ready: a model that fails whatever it is sent.
final class BreakableInference: BatchInference {
    let base: RouterInference
    let broken = Atomic(false)

    init(base: RouterInference) {
        self.base = base
    }

    func infer(_ request: InferRequest, model: String, version: String?) async throws -> InferResponse {
        if broken.load(ordering: .relaxed) {
            throw UpstreamError.httpStatus(500, message: "every request fails")
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
