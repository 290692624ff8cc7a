import BatchWorker
import Foundation
import Kafka
import PlatformStore
import TestSupport
import Testing

/// Stops the shared PostgreSQL mid-job. It disturbs the stack, so it runs on its own:
/// `FAULT_TESTS=1 swift test --filter BatchWorkerFaultTests`.
@Suite(
    "Batch worker with PostgreSQL down", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: ProcessInfo.processInfo.environment["FAULT_TESTS"] == "1", "set FAULT_TESTS=1 to stop PostgreSQL"),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchWorkerFaultTests {
    @Test("PostgreSQL stopped mid-job past the attempt budget: consumption pauses, no item fails, the job completes")
    func postgresOutage() async throws {
        let fixture = try await BatchFixture.make("pgdown")
        defer { Task { await fixture.shutdown() } }
        let count = 3000
        let worker = try InProcessWorker(fixture: fixture, groupID: BatchFixture.uniqueName("pgdown"))
        worker.start()
        _ = try await worker.waitForAssignment()
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let jobID = try await fixture.submitSimpleJob(count: count, producer: producer)
        await producer.shutdown()
        _ = try? await producerTask.value

        let before = try await fixture.waitForJob(jobID, within: .seconds(60)) { $0.processed >= count / 10 }
        let stopped = try await ProcessRunner.stack("stop", "postgres")
        #expect(stopped.status == 0, "\(stopped.errorOutput)")
        // Down until the worker has paused and spent more than an item's attempt budget waiting
        // (its health check of PostgreSQL failing), and whatever happens, started again.
        let finishedAtStop = worker.worker.itemsFinished
        let pausedSeen =
            (try? await eventuallyValue("consumption paused with PostgreSQL down", within: .seconds(60)) {
                worker.consumer.isPaused ? true : nil
            }) ?? false
        let finishedAtPause = worker.worker.itemsFinished
        let budgetSpent =
            (try? await eventuallyValue("a probe of PostgreSQL while it is down", within: .seconds(60)) {
                worker.worker.dependencyChecksFailed > 0 ? true : nil
            }) ?? false
        let finishedWhileDown = [finishedAtStop, finishedAtPause, worker.worker.itemsFinished]
        let started = try await ProcessRunner.stack("start", "postgres")
        #expect(started.status == 0, "\(started.errorOutput)")
        let job = try await fixture.waitForJob(jobID, within: .seconds(120))
        await worker.stop()

        #expect(pausedSeen, "consumption paused while PostgreSQL was down")
        #expect(budgetSpent, "an item spent its budget and the health check found PostgreSQL down")
        #expect(job.succeeded == count && job.failed == 0, "an outage fails no item")
        #expect(worker.worker.itemsExhausted == 0)
        let rows = try await fixture.items(of: jobID)
        #expect(rows.count == count)
        let layout = try await fixture.verifyShards(of: jobID)
        #expect(layout.problems.isEmpty, "\(layout.problems.prefix(5))")
        let problems = try await fixture.verifySimpleOutputs(jobID: jobID, indices: 0..<count)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        print(
            "postgres outage: \(before.processed) processed before the stop, paused: \(pausedSeen), "
                + "items finished at the stop, the pause and the restart: \(finishedWhileDown)")
    }
}
