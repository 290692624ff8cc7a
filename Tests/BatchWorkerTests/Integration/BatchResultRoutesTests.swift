import BatchWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PlatformStore
import Testing

/// A finished job's outputs through the batch API: result files and one item's output, over the
/// real broker, PostgreSQL, S3 server, worker, router and Tritons.
@Suite(
    "Batch results over HTTP", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchResultRoutesTests {
    typealias Harness = BatchRoutesHarness

    @Test("result files in input order with error codes; one item's output by id; 409 early or failed; 404 to others")
    func resultFiles() async throws {
        try await Harness().run { fixture, client in
            // Ids that do not sort in input order, and one item the model rejects (unknown input).
            let ids = (0..<300).map { "z-\(299 - $0)" }
            var body = ""
            for (index, id) in ids.enumerated() {
                body += Harness.line(id, input0Name: index == 150 ? "NOPE" : "INPUT0") + "\n"
            }
            let owner = Harness.caller("key:alice")
            let jobID = try await client.execute(
                uri: "/v1/batches?model=simple", method: .post,
                headers: Harness.caller("key:alice", contentType: "application/x-ndjson"),
                body: ByteBuffer(string: body)
            ) { response -> String in
                #expect(response.status == .accepted)
                return try #require(try Harness.object(response)["job_id"] as? String)
            }
            try await client.execute(uri: "/v1/batches/\(jobID)/output", method: .get, headers: owner) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("written when it completes"))
            }

            let worker = try InProcessWorker(fixture: fixture, groupID: BatchFixture.uniqueName("files"))
            worker.start()
            let id = try #require(UUID(uuidString: jobID))
            let job = try await fixture.waitForJob(id, within: .seconds(120))
            await worker.stop()
            #expect(job.succeeded == 299 && job.failed == 1)

            try await client.execute(uri: "/v1/batches/\(jobID)", method: .get, headers: owner) { response in
                let object = try Harness.object(response)
                #expect(object["output_url"] as? String == "/v1/batches/\(jobID)/output")
            }
            try await client.execute(uri: "/v1/batches/\(jobID)/output", method: .get, headers: owner) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson")
                let lines = String(buffer: response.body).split(separator: "\n").map {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                let expected = ids.enumerated().filter { $0.offset != 150 }.map(\.element)
                #expect(lines.map { $0?["id"] as? String } == expected)
            }
            var ranged = owner
            ranged[.range] = "bytes=0-9"
            let size = try await client.execute(uri: "/v1/batches/\(jobID)/output", method: .get, headers: ranged) {
                response -> Int in
                #expect(response.status == .partialContent)
                #expect(response.body.readableBytes == 10)
                let contentRange = response.headers[.contentRange] ?? ""
                #expect(contentRange.hasPrefix("bytes 0-9/"))
                return Int(contentRange.split(separator: "/").last ?? "") ?? 0
            }
            #expect(size > 299 * 100)
            ranged[.range] = "bytes=\(size)-"
            try await client.execute(uri: "/v1/batches/\(jobID)/output", method: .get, headers: ranged) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */\(size)")
            }
            try await client.execute(uri: "/v1/batches/\(jobID)/errors", method: .get, headers: owner) { response in
                #expect(response.status == .ok)
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.count == 1)
                let line = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
                #expect(line["item_id"] as? String == ids[150])
                #expect(line["position"] as? Int == 150)
                let error = line["error"] as? [String: Any]
                #expect(["invalid_item", "rejected_by_model"].contains(error?["code"] as? String ?? ""))
                #expect((error?["message"] as? String)?.isEmpty == false)
            }
            for index in [0, 7, 151, 299] {
                try await client.execute(
                    uri: "/v1/batches/\(jobID)/results/\(ids[index])", method: .get, headers: owner
                ) { response in
                    #expect(response.status == .ok)
                    let object = try Harness.object(response)
                    #expect(object["id"] as? String == ids[index])
                    #expect(object["outputs"] != nil)
                }
            }
            try await client.execute(uri: "/v1/batches/\(jobID)/results/\(ids[150])", method: .get, headers: owner) {
                #expect($0.status == .conflict)
                #expect(String(buffer: $0.body).contains("failed"))
            }
            try await client.execute(uri: "/v1/batches/\(jobID)/results/nobody", method: .get, headers: owner) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/batches/\(jobID)/results/..%2Fx", method: .get, headers: owner) {
                #expect($0.status == .badRequest || $0.status == .notFound)
            }
            let mallory = Harness.caller("key:mallory")
            for path in ["output", "errors", "results/\(ids[0])"] {
                try await client.execute(uri: "/v1/batches/\(jobID)/\(path)", method: .get, headers: mallory) {
                    #expect($0.status == .notFound, "\(path)")
                }
            }
        }
    }
}
