import BatchProtocol
import CurlHTTP
import InferenceProtocol
import ObjectStore
import PlatformStore
import PostgresClient
import Resilience
import Testing

@testable import BatchWorker

@Suite("Which failures pause the pipeline and which fail the item")
struct FailureKindTests {
    @Test("the model's client errors are the item's fault")
    func permanent() {
        #expect(FailureKind.of(UpstreamError.httpStatus(400, message: "bad shape")) == .permanent("bad shape"))
        #expect(FailureKind.of(UpstreamError.httpStatus(404, message: "no model")) == .permanent("no model"))
        #expect(FailureKind.of(InferenceError.badRequest("bad")) == .permanent("bad"))
        #expect(FailureKind.of(BatchWorkerError.invalidItem("x")) == .permanent("x"))
    }

    @Test("overload, server errors and lost dependencies are transient")
    func transient() {
        #expect(FailureKind.of(UpstreamError.httpStatus(429, message: "queue full")) == .transient)
        #expect(FailureKind.of(UpstreamError.httpStatus(503, message: "no backend")) == .transient)
        #expect(FailureKind.of(UpstreamError.connectFailed("refused")) == .transient)
        #expect(FailureKind.of(UpstreamError.timedOut("slow")) == .transient)
        #expect(FailureKind.of(InferenceError.unavailable("down")) == .transient)
        #expect(FailureKind.of(InferenceError.overloaded(message: "busy")) == .transient)
        #expect(FailureKind.of(PostgresError(code: .connectionFailed, message: "gone")) == .transient)
        #expect(FailureKind.of(PlatformStoreError.jobNotFound) == .transient)
    }

    @Test("PostgreSQL data errors (SQLSTATE classes 22 and 23) are the item's; other PostgreSQL errors are not")
    func postgresDataErrors() {
        let nul = PostgresError(code: .queryFailed, sqlState: "22021", message: "NUL in text")
        #expect(nul.isDataError)
        #expect(FailureKind.of(nul) == .permanent("PostgreSQL refused the item's data: NUL in text"))
        #expect(BatchWorker.errorCode(of: nul) == "unstorable_data")
        #expect(PostgresError(code: .queryFailed, sqlState: "23505", message: "dup").isDataError)
        #expect(PostgresError(code: .queryFailed, sqlState: "22003", message: "range").isDataError)
        for transient in [
            PostgresError(code: .connectionFailed, sqlState: "08006", message: "gone"),
            PostgresError(code: .serializationFailure, sqlState: "40001", message: "retry"),
            PostgresError(code: .queryFailed, sqlState: "53300", message: "too many connections"),
            PostgresError(code: .queryFailed, message: "no state"),
        ] {
            #expect(!transient.isDataError)
            #expect(FailureKind.of(transient) == .transient)
        }
    }

    @Test("cancellation stops the retry loop")
    func cancelled() {
        #expect(FailureKind.of(CancellationError()) == .cancelled)
        #expect(FailureKind.of(UpstreamError.cancelled) == .cancelled)
    }

    @Test("backoff doubles up to its maximum and jitter only shortens it")
    func backoff() {
        var generator = SystemRandomNumberGenerator()
        let exact = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0)
        #expect(exact.delay(attempt: 1, using: &generator) == .milliseconds(100))
        #expect(exact.delay(attempt: 3, using: &generator) == .milliseconds(400))
        #expect(exact.delay(attempt: 30, using: &generator) == .seconds(1))
        let jittered = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.5)
        for _ in 0..<50 {
            let delay = jittered.delay(attempt: 2, using: &generator)
            #expect(delay <= .milliseconds(200) && delay >= .milliseconds(100))
        }
    }
}
