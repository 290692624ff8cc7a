import Foundation
import TestSupport
import Testing

@Suite(
    "Stock tritonclient against the router", .timeLimit(.minutes(3)),
    .enabled(
        if: StackEnvironment.current.values["ROUTER_URL"] != nil || StackEnvironment.current.requiresStack,
        "ROUTER_URL not set: run `make up` first"))
struct StockClientTests {
    @Test("tritonclient (HTTP) gets identical answers from the router and from a Triton")
    func parity() async throws {
        let stack = StackEnvironment.current
        let result = try await ProcessRunner.python(
            "Tests/interop/tritonclient_parity.py",
            [
                try stack.require("ROUTER_URL"), try stack.require("TRITON_A_URL"),
                "triton-models/testdata/digits_holdout.json",
            ])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.contains("checks identical"))
    }

    @Test("tritonclient.grpc gets the same answers from the router's gRPC listener as from Triton's")
    func grpcParity() async throws {
        let stack = StackEnvironment.current
        let result = try await ProcessRunner.python(
            "Tests/interop/tritonclient_grpc.py",
            [
                try stack.require("ROUTER_GRPC"), try stack.require("TRITON_A_GRPC"),
                "triton-models/testdata/digits_holdout.json", "--deadline-model", "faulty",
            ])
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.contains("checks identical"), "\(result.output)")
    }
}
