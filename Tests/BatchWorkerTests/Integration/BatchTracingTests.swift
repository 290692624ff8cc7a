import Foundation
import TestSupport
import Testing

/// A batch submission's trace, from the gateway through Kafka's message headers to a worker
/// process, on topics of its own beside the stack's worker.
@Suite(
    "Distributed tracing through gateway, Kafka and the batch worker", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: BatchFixture.isConfigured, BatchFixture.skipMessage))
struct BatchTracingTests {
    @Test("a batch job submitted with a traceparent is consumed, inferred, written and committed in that trace")
    func tracedBatch() async throws {
        let binaries = StackEnvironment.repositoryRoot.appendingPathComponent(".build/debug")
        try #require(
            FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("batch-worker").path),
            "build first: swift build")
        let fixture = try await BatchFixture.make("traced")
        defer { Task { await fixture.shutdown() } }
        let result = try await ProcessRunner.python(
            "Tests/interop/traced_batch.py",
            [binaries.path, fixture.requestsTopic, fixture.deadLetterTopic, fixture.eventsTopic])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.contains("all checks passed"), "\(result.output)")
        print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
