import Foundation
import TestSupport
import Testing

@Suite(
    "Stock openai SDK against the OpenAI Batch API", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["GATEWAY_URL"] != nil, "GATEWAY_URL not set: run `make up` first"))
struct OpenAIBatchSDKTests {
    @Test(
        "the SDK uploads 300 lines and a bad one, runs the batch to completed, reads results by custom_id; others get 404"
    )
    func sdkRoundTrip() async throws {
        try await APIKeyTests.withStore { store in
            let key = try await store.create(principal: "openai-sdk-" + UUID().uuidString.prefix(8), scopes: ["batch"])
            let other = try await store.create(
                principal: "openai-other-" + UUID().uuidString.prefix(8), scopes: ["batch"])
            // The stack's gateway, worker, router and Tritons: the whole path the SDK's user takes.
            let result = try await ProcessRunner.python(
                "Tests/interop/openai_batch.py",
                [try StackEnvironment.current.require("GATEWAY_URL"), key.key, other.key])
            #expect(result.status == 0, "\(result.errorOutput)")
            #expect(result.output.contains("300 results correct by custom_id"), "\(result.output)")
            print(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
            try await store.revoke(key.id)
            try await store.revoke(other.id)
        }
    }
}
