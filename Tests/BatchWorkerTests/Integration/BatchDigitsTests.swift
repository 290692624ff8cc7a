import BatchAPI
import BatchProtocol
import BatchWorker
import Foundation
import InferenceProtocol
import Kafka
import PlatformStore
import TestSupport
import Testing

/// Encoded images in batch items: `digits` PNGs as base64 `BYTES` elements, through the real
/// broker, worker, router and Tritons.
@Suite(
    "Batch jobs of PNG images", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchDigitsTests {
    @Test("every held-out digit PNG, base64 in its item, is classified as Triton classifies it offline, in input order")
    func heldOutDigits() async throws {
        let fixture = try await BatchFixture.make("digits")
        defer { Task { await fixture.shutdown() } }
        let holdout = try DigitsHoldout.load()
        let worker = try InProcessWorker(fixture: fixture, groupID: BatchFixture.uniqueName("digits"))
        worker.start()
        _ = try await worker.waitForAssignment()
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        let submitter = BatchSubmitter(
            store: fixture.store, producer: producer, topic: fixture.requestsTopic, logger: BatchFixture.logger)
        let items = holdout.items.enumerated().map { index, item in
            BatchSubmission.Item(id: String(format: "digit-%04d", index), request: Self.request(item.pngBase64))
        }
        let jobID = try await submitter.submit(BatchSubmission(model: "digits", version: "1", items: items))
        let job = try await fixture.waitForJob(jobID)
        await worker.stop()
        await producer.shutdown()
        _ = try? await producerTask.value

        #expect(job.succeeded == items.count && job.failed == 0)
        let lines = try await fixture.resultFile("output.jsonl", of: jobID)
        #expect(lines.map { $0["id"] as? String } == items.map(\.id), "output.jsonl holds every image in input order")
        var disagreements: [String] = []
        for (line, item) in zip(lines, holdout.items) {
            let outputs = line["outputs"] as? [[String: Any]]
            let probabilities = (outputs?.first?["data"] as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? []
            let top = probabilities.indices.max { probabilities[$0] < probabilities[$1] }
            if probabilities.count != 10 || top != item.predicted["1"] {
                disagreements.append(
                    "\(line["id"] ?? "?"): top \(top.map(String.init) ?? "none"), offline \(item.predicted["1"] ?? -1)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    @Test("a base64 mark on a non-BYTES input, or an element that is not base64, is refused naming the input")
    func refusals() throws {
        var request = Self.request("not base64 at all!")
        #expect(throws: InferenceProtocolError.self) { try BatchInputEncoding.decoded(request) }
        do {
            _ = try BatchInputEncoding.decoded(request)
        } catch let error as InferenceProtocolError {
            #expect(error.message == "input 'IMAGE': element 0 is not base64")
        }
        request.inputs = [
            InferTensor(
                name: "INPUT0", shape: [1, 1], values: [Int32(1)],
                parameters: [BatchInputEncoding.parameter: .string(BatchInputEncoding.base64)])
        ]
        #expect(throws: InferenceProtocolError.self) { try BatchInputEncoding.decoded(request) }
        let decoded = try BatchInputEncoding.decoded(Self.request(Data("PNG".utf8).base64EncodedString()))
        #expect(try decoded.inputs[0].byteElements() == [Data("PNG".utf8)])
        #expect(decoded.inputs[0].parameters.isEmpty)
    }

    /// A `digits` request whose one image is `base64` text marked as such.
    static func request(_ base64: String) -> InferRequest {
        InferRequest(inputs: [
            InferTensor(
                name: "IMAGE", shape: [1, 1], strings: [base64],
                parameters: [BatchInputEncoding.parameter: .string(BatchInputEncoding.base64)])
        ])
    }
}
