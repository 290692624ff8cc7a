import BatchWorker
import Foundation
import Kafka
import PlatformStore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Crashes and group membership: nothing lost, nothing written twice.
@Suite(
    "Batch worker crash and sharing", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchWorkerRecoveryTests {
    @Test("kill -9 of the worker twice mid-job, then a restart: every item once in rows, shards and output.jsonl")
    func killTwiceAndRestart() async throws {
        let fixture = try await BatchFixture.make("kill")
        defer { Task { await fixture.shutdown() } }
        let count = 6000
        let groupID = BatchFixture.uniqueName("kill")
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let jobID = try await fixture.submitSimpleJob(count: count, producer: producer)
        await producer.shutdown()
        _ = try? await producerTask.value

        var processedAtKill: [Int] = []
        for fraction in [5, 2] {
            let worker = try WorkerProcess(overrides: fixture.processEnvironment(groupID: groupID))
            _ = try await fixture.waitForJob(jobID, within: .seconds(90)) { $0.processed >= count / fraction }
            let status = await worker.kill9()
            #expect(status & 0x7f == SIGKILL, "the worker died of SIGKILL")
            let atKill = try await fixture.store.job(jobID)?.processed ?? 0
            #expect(atKill < count, "killed mid-job (\(atKill) processed)")
            processedAtKill.append(atKill)
        }

        let last = try WorkerProcess(overrides: fixture.processEnvironment(groupID: groupID))
        let job: BatchJob
        do {
            job = try await fixture.waitForJob(jobID, within: .seconds(120))
        } catch {
            Issue.record("restarted worker log: \(last.logTail())")
            await last.kill9()
            throw error
        }
        await last.terminate()

        #expect(job.status == .completed && job.succeeded == count && job.failed == 0)
        let rows = try await fixture.items(of: jobID)
        #expect(rows.count == count)
        let layout = try await fixture.verifyShards(of: jobID)
        #expect(layout.problems.isEmpty, "\(layout.problems.prefix(5))")
        let problems = try await fixture.verifySimpleOutputs(jobID: jobID, indices: 0..<count)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let fileProblems = try await fixture.verifySimpleOutputFile(jobID: jobID, indices: Array(0..<count))
        #expect(fileProblems.isEmpty, "\(fileProblems.prefix(5))")
        print("kill test: \(processedAtKill) of \(count) items processed when the workers were killed")
    }

    @Test("two workers in one group share the partitions and together finish one job")
    func twoWorkersShare() async throws {
        let fixture = try await BatchFixture.make("pair")
        defer { Task { await fixture.shutdown() } }
        let count = 2000
        let groupID = BatchFixture.uniqueName("pair")
        let first = try InProcessWorker(fixture: fixture, groupID: groupID)
        let second = try InProcessWorker(fixture: fixture, groupID: groupID)
        first.start()
        second.start()
        try await waitForSplit(first.consumer, second.consumer, partitions: BatchFixture.requestPartitions)
        let firstPartitions = first.consumer.assignment
        let secondPartitions = second.consumer.assignment

        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let jobID = try await fixture.submitSimpleJob(count: count, producer: producer)
        let job = try await fixture.waitForJob(jobID)
        await first.stop()
        await second.stop()
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(Set(firstPartitions).isDisjoint(with: secondPartitions))
        #expect(job.succeeded == count)
        #expect(first.worker.itemsFinished > 0 && second.worker.itemsFinished > 0)
        #expect(first.worker.itemsFinished + second.worker.itemsFinished >= count)
        #expect(try await fixture.items(of: jobID).count == count)
        let layout = try await fixture.verifyShards(of: jobID)
        #expect(layout.problems.isEmpty, "\(layout.problems.prefix(5))")
        print(
            "two workers: \(first.worker.itemsFinished) and \(second.worker.itemsFinished) items, "
                + "partitions \(firstPartitions) / \(secondPartitions)")
    }
}

/// Waits until the two members hold disjoint parts of all `partitions`.
func waitForSplit(_ first: KafkaConsumer, _ second: KafkaConsumer, partitions: Int) async throws {
    try await eventuallyValue("a split assignment (\(first.assignment) / \(second.assignment))", within: .seconds(120))
    {
        let one = first.assignment
        let two = second.assignment
        let split = !one.isEmpty && !two.isEmpty && Set(one).isDisjoint(with: two) && Set(one + two).count == partitions
        return split ? () : nil
    }
}
