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

    @Test("refusals reach gRPC clients as UNAUTHENTICATED, NOT_FOUND, INVALID_ARGUMENT and RESOURCE_EXHAUSTED")
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
            }
            try await store.revoke(key.id)
        }
    }
}
