import Foundation
import Gateway
import RateLimiting
import TestSupport
import Testing

@Suite(
    "Stock tritonclient.grpc through the gateway's gRPC listener", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["TRITON_A_GRPC"] != nil, "TRITON_A_GRPC not set: run `make up` first"))
struct GRPCFrontDoorTests {
    @Test("tritonclient.grpc with an x-api-key gets Triton's own gRPC answers; a 300 ms deadline ends a 3 s call")
    func parityWithAPIKey() async throws {
        try await APIKeyTests.withStore { store in
            let key = try await store.create(principal: "grpc-" + UUID().uuidString.prefix(8), scopes: ["infer"])
            var settings = try GatewayFixture.stackSettings()
            settings.grpcPort = 0
            try await GatewayFixture.with(settings) { gateway in
                let result = try await ProcessRunner.python(
                    "Tests/interop/tritonclient_grpc.py",
                    [
                        try #require(gateway.grpcAddress), try StackEnvironment.current.require("TRITON_A_GRPC"),
                        "triton-models/testdata/digits_holdout.json", "--header", "x-api-key=\(key.key)",
                        "--deadline-model", "faulty",
                    ])
                #expect(result.status == 0, "\(result.errorOutput)")
                #expect(result.output.contains("checks identical"), "\(result.output)")
                print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try await store.revoke(key.id)
        }
    }

    @Test(
        "refusals reach gRPC clients as UNAUTHENTICATED, NOT_FOUND, INVALID_ARGUMENT and RESOURCE_EXHAUSTED, and are counted"
    )
    func refusals() async throws {
        try await APIKeyTests.withStore { store in
            let key = try await store.create(principal: "grpc-" + UUID().uuidString.prefix(8), scopes: ["infer"])
            var settings = try GatewayFixture.stackSettings()
            settings.grpcPort = 0
            settings.rateLimit.principal = RateLimitPolicy(limit: 12, period: .seconds(3600), burst: 12)
            try await GatewayFixture.with(settings) { gateway in
                let result = try await ProcessRunner.python(
                    "Tests/interop/tritonclient_grpc_errors.py",
                    [try #require(gateway.grpcAddress), key.key, "--limit", "12"])
                #expect(result.status == 0, "\(result.errorOutput)")
                #expect(result.output.contains("all checks passed"), "\(result.output)")
                print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
                // The calls above, counted by method and code as the access log names them.
                let metrics = try await gateway.send("GET", "/metrics").text
                let service = #"grpc_service="inference.GRPCInferenceService""#
                for (method, code, count) in [
                    ("ModelMetadata", "UNAUTHENTICATED", 2), ("ModelMetadata", "NOT_FOUND", 1),
                    ("ModelMetadata", "INVALID_ARGUMENT", 1), ("ModelInfer", "RESOURCE_EXHAUSTED", 1),
                ] {
                    let series =
                        #"grpc_server_handled_total{\#(service),grpc_method="\#(method)",grpc_code="\#(code)"}"#
                    #expect(metrics.contains(series + " \(count)"), "\(series) in\n\(metrics)")
                }
                #expect(metrics.contains(#"grpc_server_handling_seconds_count{\#(service),grpc_method="ModelInfer"}"#))
            }
            try await store.revoke(key.id)
        }
    }
}
