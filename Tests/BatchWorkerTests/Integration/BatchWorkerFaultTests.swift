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
    @Test("PostgreSQL stopped for 10 s mid-job: consumption pauses, and the job completes correctly once it is back")
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
        let downSince = ContinuousClock.now
        var pausedSeen = false
        var finishedWhileDown = Set<Int>()
        // Whatever happens while it is down, PostgreSQL is started again.
        while downSince.duration(to: .now) < .seconds(10) {
            if worker.consumer.isPaused { pausedSeen = true }
            finishedWhileDown.insert(worker.worker.itemsFinished)
            try? await Task.sleep(for: .milliseconds(100))
        }
        let started = try await ProcessRunner.stack("start", "postgres")
        #expect(started.status == 0, "\(started.errorOutput)")
        let job = try await fixture.waitForJob(jobID, within: .seconds(120))
        await worker.stop()

        #expect(pausedSeen, "consumption paused while PostgreSQL was down")
        #expect(job.succeeded == count && job.failed == 0)
        let rows = try await fixture.items(of: jobID)
        #expect(rows.count == count)
        #expect(try await fixture.objectKeys(of: jobID).count == count + 1)
        let problems = try await fixture.verifySimpleOutputs(jobID: jobID, indices: 0..<count)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        print(
            "postgres outage: \(before.processed) processed before the stop, paused: \(pausedSeen), "
                + "items finished while down: \(finishedWhileDown.sorted().first ?? 0)…\(finishedWhileDown.max() ?? 0)")
    }
}
