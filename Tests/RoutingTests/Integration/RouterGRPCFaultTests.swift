import Foundation
import TestSupport
import Testing

/// Kills a Triton under a gRPC load on one connection. It disturbs the shared stack, so it runs
/// on its own: `FAULT_TESTS=1 swift test --filter RouterGRPCFaultTests` (scripts/test.sh does).
@Suite(
    "Router gRPC under a backend crash", .serialized, .timeLimit(.minutes(4)),
    .enabled(if: ProcessInfo.processInfo.environment["FAULT_TESTS"] == "1", "set FAULT_TESTS=1 to kill a Triton"))
struct RouterGRPCFaultTests {
    private struct Summary: Decodable {
        let calls: Int
        let errors: Int
        let beforeKill: [String: Int]
        let samples: [String]

        enum CodingKeys: String, CodingKey {
            case calls, errors, samples
            case beforeKill = "before_kill"
        }
    }

    @Test("kill triton-a under a tritonclient.grpc load: ≤ 0.5% errors; one connection's calls spread over both")
    func killUnderGRPCLoad() async throws {
        let stack = StackEnvironment.current
        let result = try await ProcessRunner.python(
            "Tests/interop/grpc_kill_load.py",
            [
                try stack.require("ROUTER_GRPC"), try stack.require("TRITON_A_URL"), try stack.require("TRITON_B_URL"),
                "--calls", "3000", "--workers", "4",
            ])
        #expect(result.status == 0, "\(result.errorOutput)")
        let line = try #require(result.output.split(separator: "\n").last)
        let summary = try JSONDecoder().decode(Summary.self, from: Data(line.utf8))
        print("router gRPC fault test: \(line)")
        #expect(summary.calls == 3000)
        #expect(Double(summary.errors) <= Double(summary.calls) * 0.005, "\(summary.samples)")
        let spread = summary.beforeKill
        let total = spread.values.reduce(0, +)
        #expect(total >= 600)
        // Round robin over two backends on one connection: neither served less than a quarter.
        #expect(spread["triton-a", default: 0] * 4 >= total && spread["triton-b", default: 0] * 4 >= total, "\(spread)")
    }
}
