import BatchWorker
import CurlHTTP
import Foundation
import InferenceProtocol
import Kafka
import PlatformStore
import TestSupport
import Testing
import TritonClient

/// The worker against the real broker, PostgreSQL, S3 server, router and Tritons.
@Suite(
    "Batch worker end to end", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchWorkerIntegrationTests {
    @Test("a 20,000-item job: 20,000 rows, shared shards, output.jsonl in input order, range GETs, manifest, event")
    func twentyThousandItems() async throws {
        let fixture = try await BatchFixture.make("20k")
        defer { Task { await fixture.shutdown() } }
        let count = 20_000
        async let events = fixture.readTopic(fixture.eventsTopic, count: 1)
        let worker = try InProcessWorker(fixture: fixture, groupID: BatchFixture.uniqueName("5k"))
        worker.start()
        _ = try await worker.waitForAssignment()

        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let started = ContinuousClock.now
        // Submitted in descending id order, so input order is not the order of the ids.
        let order = Array((0..<count).reversed())
        let jobID = try await fixture.submitSimpleJob(indices: order, producer: producer)
        let submitted = started.duration(to: .now)
        let job = try await fixture.waitForJob(jobID)
        let elapsed = started.duration(to: .now)
        await worker.stop()
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(job.status == .completed)
        #expect(job.total == count && job.succeeded == count && job.failed == 0 && job.skipped == 0)
        let rows = try await fixture.items(of: jobID)
        #expect(rows.count == count)
        #expect(Set(rows.map(\.itemID)) == Set((0..<count).map(SimpleModel.itemID)))
        let layout = try await fixture.verifyShards(of: jobID)
        #expect(layout.problems.isEmpty, "\(layout.problems.prefix(5))")
        #expect(layout.shards < count, "items share shards (\(layout.shards) for \(count) items)")
        let problems = try await fixture.verifySimpleOutputs(jobID: jobID, indices: 0..<count)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        let fileProblems = try await fixture.verifySimpleOutputFile(jobID: jobID, indices: order)
        #expect(fileProblems.isEmpty, "\(fileProblems.prefix(5))")
        #expect(try await fixture.resultFile("errors.jsonl", of: jobID).isEmpty)
        let stored = try await fixture.store.job(jobID)
        #expect(stored?.outputFileKey == "\(fixture.prefix)/\(jobID.uuidString.lowercased())/output.jsonl")

        let manifestKey = "\(fixture.prefix)/\(jobID.uuidString.lowercased())/manifest.json"
        let manifest = try JSONSerialization.jsonObject(with: try await fixture.objects.get(key: manifestKey))
        let manifestObject = try #require(manifest as? [String: Any])
        #expect(manifestObject["succeeded"] as? Int == count)
        #expect(manifestObject["output_lines"] as? Int == count)
        #expect(manifestObject["error_lines"] as? Int == 0)
        #expect(manifestObject["shards"] as? Int == layout.shards)

        let event = try #require(try await events.first)
        let eventObject = try #require(try JSONSerialization.jsonObject(with: Data(event.value)) as? [String: Any])
        #expect(eventObject["type"] as? String == "batch.job.completed")
        #expect(eventObject["job_id"] as? String == jobID.uuidString.lowercased())
        #expect(eventObject["succeeded"] as? Int == count)

        let workerRate = Double(count) / seconds(elapsed)
        let directRate = try await DirectTriton.itemsPerSecond(items: count, batchSize: 8, concurrency: 8)
        print(
            "batch throughput: worker \(String(format: "%.0f", workerRate)) items/s end to end "
                + "(submit → completed, \(count) items in \(layout.shards) shards, submit took \(submitted)), direct Triton \(String(format: "%.0f", directRate)) items/s "
                + "(batch 8, 8 concurrent, both Tritons), ratio \(String(format: "%.2f", workerRate / directRate))")
    }

    @Test("an urgent 200-item job submitted behind a 10,000-item normal job completes first")
    func urgentJobOvertakes() async throws {
        let fixture = try await BatchFixture.make("prio")
        defer { Task { await fixture.shutdown() } }
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        // Both are on the broker before the worker starts: the normal job is a backlog in front.
        let normal = try await fixture.submitSimpleJob(count: 10_000, producer: producer)
        let urgent = try await fixture.submitSimpleJob(
            indices: Array(10_000..<10_200), producer: producer, priority: .urgent)
        await producer.shutdown()
        _ = try? await producerTask.value

        let worker = try InProcessWorker(fixture: fixture, groupID: BatchFixture.uniqueName("prio"))
        worker.start()
        let urgentJob = try await fixture.waitForJob(urgent, within: .seconds(120))
        let normalAtThatTime = try await fixture.store.job(normal)
        let normalJob = try await fixture.waitForJob(normal, within: .seconds(150))
        await worker.stop()

        #expect(urgentJob.priority == "urgent" && normalJob.priority == "normal")
        #expect(urgentJob.succeeded == 200 && normalJob.succeeded == 10_000)
        let urgentDone = try #require(urgentJob.finishedAt)
        let normalDone = try #require(normalJob.finishedAt)
        #expect(urgentDone < normalDone)
        #expect((normalAtThatTime?.processed ?? 0) < 10_000)
        print(
            "priority: the urgent job completed when \(normalAtThatTime?.processed ?? 0) of 10,000 normal items were done"
        )
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The reference: the same items, in batches of the same size, straight to the Tritons.
enum DirectTriton {
    static func itemsPerSecond(items: Int, batchSize: Int, concurrency: Int) async throws -> Double {
        let urls = StackEnvironment.current.tritonURLs
        let transport = CurlHTTPTransport()
        defer { Task { await transport.shutdown() } }
        let clients = urls.map { TritonHTTPClient(baseURL: $0, transport: transport) }
        let batches = stride(from: 0, to: items, by: batchSize).map { start in
            var request = TensorBatchingProbe.join((start..<min(start + batchSize, items)).map(SimpleModel.request))
            request.binaryDataOutput = true
            return request
        }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var index = lane
                    while index < batches.count {
                        let client = clients[index % clients.count]
                        _ = try await client.infer(batches[index], model: "simple", binaryInputs: true)
                        index += concurrency
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(items) / seconds(started.duration(to: .now))
    }
}

/// Stacks `simple` requests along the batch dimension (the same layout the worker sends).
enum TensorBatchingProbe {
    static func join(_ requests: [InferRequest]) -> InferRequest {
        let names = ["INPUT0", "INPUT1"]
        let inputs = names.map { name in
            var data = Data()
            for request in requests { data.append(request.input(named: name)?.data ?? Data()) }
            return InferTensor(name: name, datatype: .int32, shape: [Int64(requests.count), 16], data: data)
        }
        return InferRequest(inputs: inputs)
    }
}
