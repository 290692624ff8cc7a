import Foundation
import TestSupport
import Testing

@Suite(
    "Distributed tracing through gateway, router and Triton", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["STACK_OTLP_PORT"] != nil, "STACK_OTLP_PORT not set: run `make up`"))
struct TracingTests {
    @Test("HTTP and gRPC requests give one trace: client → gateway → router → attempt → Triton, logs with its id")
    func tracedRequest() async throws {
        let binaries = StackEnvironment.repositoryRoot.appendingPathComponent(".build/debug")
        try #require(
            FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("gateway").path),
            "build first: swift build")
        let result = try await ProcessRunner.python("Tests/interop/traced_request.py", [binaries.path])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.contains("all checks passed"), "\(result.output)")
        print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
