import BatchAPI
import BatchProtocol
import BatchWorker
import Foundation
import Kafka
import PlatformStore
import TestSupport
import Testing

/// Stops both of the stack's Tritons while a job with a short completion window runs. It disturbs
/// the stack more than any other test, so it runs alone, last:
/// `FAULT_TESTS=1 swift test --filter BatchExpiryFaultTests`.
@Suite(
    "Batch job expiry with every Triton stopped", .serialized, .timeLimit(.minutes(4)),
    .enabled(if: ProcessInfo.processInfo.environment["FAULT_TESTS"] == "1", "set FAULT_TESTS=1 to stop the Tritons"),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchExpiryFaultTests {
    @Test("a job whose window ends while no Triton answers ends expired, every item in errors.jsonl")
    func expiresDuringOutage() async throws {
        let fixture = try await BatchFixture.make("expiry")
        defer { Task { await fixture.shutdown() } }
        let worker = try InProcessWorker(fixture: fixture, groupID: BatchFixture.uniqueName("expiry"))
        worker.start()
        _ = try await worker.waitForAssignment()

        var outcome: Result<BatchJob, any Error>
        var stopped: [String] = []
        do {
            for triton in ["triton-a", "triton-b"] {
                let result = try await ProcessRunner.stack("stop", triton)
                #expect(result.status == 0, "\(result.errorOutput)")
                stopped.append(triton)
            }
            outcome = .success(try await submitAndWait(fixture))
        } catch {
            outcome = .failure(error)
        }
        for triton in stopped {
            let started = try await ProcessRunner.stack("start", triton)
            #expect(started.status == 0, "\(started.errorOutput)")
        }
        await worker.stop()

        let job = try outcome.get()
        #expect(job.status == .expired)
        #expect(job.total == Self.count && job.failed == Self.count && job.succeeded == 0)
        let errors = try await fixture.resultFile("errors.jsonl", of: job.id)
        #expect(errors.count == Self.count)
        let codes = Set(errors.compactMap { ($0["error"] as? [String: Any])?["code"] as? String })
        #expect(codes == [BatchItem.expiredErrorCode], "\(errors.prefix(2))")
        let ids = errors.compactMap { $0["item_id"] as? String }
        #expect(ids == (0..<Self.count).map(SimpleModel.itemID), "errors.jsonl holds every item in input order")
        #expect(try await fixture.resultFile("output.jsonl", of: job.id).isEmpty)
        let late = job.finishedAt.flatMap { finished in job.expiresAt.map { finished.timeIntervalSince($0) } }
        print(
            "expiry: \(Self.count) items expired; the job ended \(late.map { String(format: "%.2f", $0) } ?? "?") s after its deadline"
        )
    }

    static let count = 40

    /// Submits `count` `simple` items with a 3 s window; waits for the job to end with its files.
    private func submitAndWait(_ fixture: BatchFixture) async throws -> BatchJob {
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let submitter = BatchSubmitter(
            store: fixture.store, producer: producer, topic: fixture.requestsTopic, logger: BatchFixture.logger)
        let jobID = try await submitter.submit(
            BatchSubmission(
                model: "simple", items: (0..<Self.count).map(SimpleModel.item), completionWindow: .seconds(3)))
        await producer.shutdown()
        _ = try? await producerTask.value
        return try await fixture.waitForJob(jobID, within: .seconds(90)) {
            $0.status.isFinal && ($0.outputFileKey != nil || $0.status != .expired)
        }
    }
}
