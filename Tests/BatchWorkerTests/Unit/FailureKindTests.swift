import CurlHTTP
import InferenceProtocol
import ObjectStore
import PlatformStore
import PostgresClient
import Testing

@testable import BatchWorker

@Suite("Which failures pause the pipeline and which fail the item")
struct FailureKindTests {
    @Test("the model's client errors are the item's fault")
    func permanent() {
        #expect(FailureKind.of(HTTPClientError.httpStatus(400, message: "bad shape")) == .permanent("bad shape"))
        #expect(FailureKind.of(HTTPClientError.httpStatus(404, message: "no model")) == .permanent("no model"))
        #expect(FailureKind.of(InferenceError.badRequest("bad")) == .permanent("bad"))
        #expect(FailureKind.of(BatchWorkerError.invalidItem("x")) == .permanent("x"))
    }

    @Test("overload, server errors and lost dependencies are transient")
    func transient() {
        #expect(FailureKind.of(HTTPClientError.httpStatus(429, message: "queue full")) == .transient)
        #expect(FailureKind.of(HTTPClientError.httpStatus(503, message: "no backend")) == .transient)
        #expect(FailureKind.of(HTTPClientError.connectFailed("refused")) == .transient)
        #expect(FailureKind.of(HTTPClientError.timedOut("slow")) == .transient)
        #expect(FailureKind.of(InferenceError.unavailable("down")) == .transient)
        #expect(FailureKind.of(InferenceError.overloaded(message: "busy")) == .transient)
        #expect(FailureKind.of(PostgresError(code: .connectionFailed, message: "gone")) == .transient)
        #expect(FailureKind.of(PlatformStoreError.jobNotFound) == .transient)
    }

    @Test("cancellation stops the retry loop")
    func cancelled() {
        #expect(FailureKind.of(CancellationError()) == .cancelled)
        #expect(FailureKind.of(HTTPClientError.cancelled) == .cancelled)
    }

    @Test("backoff doubles up to its maximum and jitter only shortens it")
    func backoff() {
        var generator = SystemRandomNumberGenerator()
        let exact = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0)
        #expect(exact.delay(afterAttempt: 1, using: &generator) == .milliseconds(100))
        #expect(exact.delay(afterAttempt: 3, using: &generator) == .milliseconds(400))
        #expect(exact.delay(afterAttempt: 30, using: &generator) == .seconds(1))
        let jittered = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5)
        for _ in 0..<50 {
            let delay = jittered.delay(afterAttempt: 2, using: &generator)
            #expect(delay <= .milliseconds(200) && delay >= .milliseconds(100))
        }
    }
}
