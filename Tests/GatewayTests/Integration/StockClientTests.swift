import Foundation
import Gateway
import TestSupport
import Testing

@Suite(
    "Stock tritonclient through the gateway", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["TRITON_A_URL"] != nil, "TRITON_A_URL not set: run `make up` first"))
struct GatewayStockClientTests {
    @Test("tritonclient (HTTP) with an x-api-key header gets the same answers as from a Triton")
    func parityWithAPIKey() async throws {
        try await APIKeyTests.withStore { store in
            let key = try await store.create(
                principal: "tritonclient-" + UUID().uuidString.prefix(8), scopes: ["infer"])
            try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
                let result = try await ProcessRunner.python(
                    "Tests/interop/tritonclient_parity.py",
                    [
                        gateway.url, try StackEnvironment.current.require("TRITON_A_URL"),
                        "triton-models/testdata/digits_holdout.json", "--header", "x-api-key=\(key.key)",
                    ])
                #expect(result.status == 0, "\(result.errorOutput)")
                #expect(result.output.contains("checks identical"), "\(result.output)")
                print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try await store.revoke(key.id)
        }
    }
}
