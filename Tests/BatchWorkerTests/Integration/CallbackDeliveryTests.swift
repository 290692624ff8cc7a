import CurlHTTP
import Foundation
import Kafka
import ObjectStore
import PlatformStore
import TestSupport
import Testing

@testable import BatchWorker

/// Job callbacks against the real stack: the address fence, signing, no redirects, the retry
/// budget, and delivery apart from the pipeline (issue 10, findings 3 and 6).
@Suite(
    "Job callbacks", .serialized, .timeLimit(.minutes(4)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct CallbackDeliveryTests {
    @Test("a callback to Triton's unload API, a metadata or a private address is refused; the model stays loaded")
    func fenceRefusesInternalAddresses() async throws {
        let tritonURL = try #require(StackEnvironment.current.tritonURLs.first, "TRITON_URLS is not set")
        let tritonPort = try #require(URLComponents(string: tritonURL)?.port)
        let allowList = try CallbackAllowList(parsing: CallbackTestSettings.allowList)
        let loopback = try #require(IPAddress("127.0.0.1"))
        try #require(
            !allowList.permits(host: "127.0.0.1", address: loopback, port: tritonPort),
            "the test allow-list must not name Triton's port")

        let run = try await CallbackRun.start("fence")
        defer { Task { await run.shutdown() } }
        let urls = [
            "unload": "http://127.0.0.1:\(tritonPort)/v2/repository/models/simple/unload",
            "mapped": "http://[::ffff:127.0.0.1]:\(tritonPort)/v2/repository/models/simple/unload",
            "shorthand": "http://2130706433:\(tritonPort)/v2/repository/models/simple/unload",
            "metadata": "http://169.254.169.254/latest/meta-data/",
            "private": "http://10.255.255.1:8080/hook",
        ]
        var jobs: [String: UUID] = [:]
        for (name, url) in urls { jobs[name] = try await run.job(callbackURL: url) }
        for (name, jobID) in jobs {
            let delivery = try await run.waitForCallback(jobID) { $0.state != .pending }
            #expect(delivery.state == .failed, "\(name)")
            #expect(delivery.attempts == 1, "\(name): refused at once, never retried")
            #expect(delivery.lastError?.hasPrefix("refused:") == true, "\(name): \(delivery.lastError ?? "-")")
        }
        let unloadError = try await run.delivery(jobs["unload"]!)?.lastError ?? ""
        #expect(unloadError.contains("loopback"), "\(unloadError)")
        let metadataError = try await run.delivery(jobs["metadata"]!)?.lastError ?? ""
        #expect(metadataError.contains("metadata"), "\(metadataError)")
        let privateError = try await run.delivery(jobs["private"]!)?.lastError ?? ""
        #expect(privateError.contains("private"), "\(privateError)")

        for url in StackEnvironment.current.tritonURLs {
            let ready = try await run.fixture.transport.execute(
                HTTPRequestSpec(method: "GET", url: "\(url)/v2/models/simple/ready", timeout: .seconds(5)))
            #expect(ready.status == 200, "simple is still loaded on \(url)")
        }
    }

    @Test("an allow-listed receiver gets one correctly signed callback; a redirecting one is not followed")
    func signedDeliveryAndNoRedirects() async throws {
        let run = try await CallbackRun.start("signed")
        defer { Task { await run.shutdown() } }
        let receiver = CallbackReceiver(.accept(failFirst: 0))
        let redirecting = CallbackReceiver(.redirect)
        defer { Task { await receiver.stop() } }
        defer { Task { await redirecting.stop() } }

        let jobID = try await run.job(callbackURL: try await receiver.start())
        let redirectedJob = try await run.job(callbackURL: try await redirecting.start())

        let delivered = try await run.waitForCallback(jobID) { $0.state != .pending }
        #expect(delivered.state == .delivered && delivered.attempts == 1)
        let request = try #require(receiver.requests.first)
        #expect(receiver.requests.count == 1)
        let timestampText = try #require(request.headers[.init(CallbackSigner.timestampHeader)!])
        let signature = try #require(request.headers[.init(CallbackSigner.signatureHeader)!])
        let timestamp = try #require(Int64(timestampText))
        let expected = Hashing.hex(
            Hashing.hmacSHA256(
                key: Array(CallbackTestSettings.secret.utf8),
                message: Array("\(timestampText).".utf8) + Array(request.body)))
        #expect(signature == "v1=\(expected)")
        #expect(abs(Date().timeIntervalSince1970 - Double(timestamp)) < 300, "a fresh timestamp")
        #expect(request.headers[.init("X-Batch-Job-Id")!] == jobID.uuidString.lowercased())
        let event = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        #expect(event["type"] as? String == "batch.job.completed")
        #expect(event["job_id"] as? String == jobID.uuidString.lowercased())

        let redirected = try await run.waitForCallback(redirectedJob) { $0.state != .pending }
        #expect(redirected.state == .failed && redirected.attempts == 1)
        #expect(redirected.lastError?.contains("redirects are not followed") == true, "\(redirected.lastError ?? "-")")
        #expect(redirecting.received.attempts == 1)
        #expect(redirecting.followed == 0, "the redirect target was never called")
    }

    @Test("a receiver that always fails ends failed after the retry budget, visible on the job")
    func failingReceiverEndsFailed() async throws {
        let run = try await CallbackRun.start("failing")
        defer { Task { await run.shutdown() } }
        let receiver = CallbackReceiver(.fail(status: 503))
        defer { Task { await receiver.stop() } }
        let jobID = try await run.job(callbackURL: try await receiver.start())

        let budget = CallbackTestSettings.configuration.attempts
        let delivery = try await run.waitForCallback(jobID, within: .seconds(120)) { $0.state != .pending }
        #expect(delivery.state == .failed)
        #expect(delivery.attempts == budget)
        #expect(delivery.lastError == "the receiver answered HTTP 503")
        #expect(receiver.received.attempts == budget, "one request per attempt, no more")
        let job = try #require(try await run.fixture.store.job(jobID))
        #expect(job.status == .completed, "a failed callback does not change the job's own outcome")
    }

    @Test("a receiver that never answers does not hold up other jobs: they complete while it is pending")
    func slowReceiverDoesNotStallTheWorker() async throws {
        // One batch at a time: a callback on the commit path would stall every other job.
        let run = try await CallbackRun.start("slow", maxConcurrentBatches: 1)
        defer { Task { await run.shutdown() } }
        let receiver = CallbackReceiver(.hang)
        let slowJob = try await run.job(callbackURL: try await receiver.start())
        try await eventually("the slow receiver holds a callback request", within: .seconds(60)) {
            receiver.waiting > 0
        }

        let otherJob = try await run.fixture.submitSimpleJob(count: 40, producer: run.producer)
        let other = try await run.fixture.waitForJob(otherJob, within: .seconds(60))
        let pending = try #require(try await run.delivery(slowJob))
        await receiver.stop()
        #expect(other.status == .completed && other.succeeded == 40)
        #expect(pending.state == .pending, "the other job completed while the slow callback was still being tried")
    }
}

/// A fixture, an in-process worker (pipeline and callback delivery) and a producer for one test.
struct CallbackRun: Sendable {
    let fixture: BatchFixture
    let worker: InProcessWorker
    let producer: KafkaProducer
    let producerTask: Task<Void, any Error>

    static func start(_ name: String, maxConcurrentBatches: Int? = nil) async throws -> CallbackRun {
        let fixture = try await BatchFixture.make("callback-" + name)
        var configuration = fixture.workerConfiguration
        if let maxConcurrentBatches { configuration.maxConcurrentBatches = maxConcurrentBatches }
        let worker = try InProcessWorker(
            fixture: fixture, groupID: BatchFixture.uniqueName(name), configuration: configuration)
        worker.start()
        _ = try await worker.waitForAssignment()
        let producer = try KafkaProducer(configuration: fixture.submitterKafka, logger: BatchFixture.logger)
        let producerTask = Task { try await producer.run() }
        return CallbackRun(fixture: fixture, worker: worker, producer: producer, producerTask: producerTask)
    }

    /// Submits a one-item job with `callbackURL` and waits until it completed.
    func job(callbackURL: String) async throws -> UUID {
        let jobID = try await fixture.submitSimpleJob(count: 1, producer: producer, callbackURL: callbackURL)
        try await fixture.waitForJob(jobID, within: .seconds(60))
        return jobID
    }

    func delivery(_ jobID: UUID) async throws -> CallbackDelivery? {
        try await fixture.store.callbackOutbox.delivery(jobID: jobID)
    }

    /// Polls the job's callback until `done` holds.
    func waitForCallback(
        _ jobID: UUID, within limit: Duration = .seconds(60), until done: @Sendable (CallbackDelivery) -> Bool
    ) async throws -> CallbackDelivery {
        try await eventuallyValue("callback of job \(jobID) done", within: limit, every: .milliseconds(100)) {
            try await delivery(jobID).flatMap { done($0) ? $0 : nil }
        }
    }

    func shutdown() async {
        await worker.stop()
        await producer.shutdown()
        _ = try? await producerTask.value
        await fixture.shutdown()
    }
}
