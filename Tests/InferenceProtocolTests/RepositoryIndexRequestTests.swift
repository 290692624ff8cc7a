import Foundation
import InferenceProtocol
import Testing

@Suite("Repository index request bodies")
struct RepositoryIndexRequestTests {
    @Test("bodies Triton takes pass", arguments: ["", "  \n", "null", "{}", #"{"ready": true}"#, #"{"ready":false}"#])
    func accepted(_ body: String) throws {
        try RepositoryIndexRequest.check(Data(body.utf8))
        try RepositoryIndexRequest.check(nil)
    }

    /// Each of these made Triton answer 500 (schemathesis found `{"ready": {}}`).
    @Test(
        "bodies Triton answers with a 500 are refused as bad requests",
        arguments: [
            #"{"ready": {}}"#, #"{"ready": null}"#, #"{"ready": "true"}"#, #"{"ready": 1}"#, "[", "ready", "[]",
        ])
    func refused(_ body: String) {
        #expect(throws: InferenceError.self) { try RepositoryIndexRequest.check(Data(body.utf8)) }
        do {
            try RepositoryIndexRequest.check(Data(body.utf8))
        } catch {
            #expect(error.httpStatus == 400)
        }
    }
}
