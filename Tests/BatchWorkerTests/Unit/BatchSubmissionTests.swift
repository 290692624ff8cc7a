import BatchAPI
import BatchProtocol
import Foundation
import Testing

@testable import BatchWorker

@Suite("Parsing batch submissions")
struct BatchSubmissionTests {
    @Test("a JSON body with items of v2 tensors")
    func json() throws {
        let body = """
            {"model": "simple", "version": "1", "callback_url": "http://127.0.0.1:9/done",
             "items": [{"id": "a", "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 2], "data": [1, 2]}]},
                       {"id": 7, "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 2], "data": [3, 4]}]}]}
            """
        let submission = try BatchSubmission.parseJSON(Data(body.utf8))
        #expect(submission.model == "simple" && submission.version == "1")
        #expect(submission.callbackURL == "http://127.0.0.1:9/done")
        #expect(submission.items.map(\.id) == ["a", "7"])
        #expect(try submission.items[1].request.inputs[0].values(as: Int32.self) == [3, 4])
    }

    @Test("JSON Lines, blank lines ignored")
    func jsonLines() throws {
        let body = """
            {"id": "a", "inputs": [{"name": "X", "datatype": "FP32", "shape": [1], "data": [0.5]}]}

            {"id": "b", "inputs": [{"name": "X", "datatype": "FP32", "shape": [1], "data": [1.5]}]}
            """
        let submission = try BatchSubmission.parseJSONLines(
            Data(body.utf8), model: "m", version: nil, callbackURL: nil)
        #expect(submission.items.map(\.id) == ["a", "b"])
        #expect(try submission.items[1].request.inputs[0].values(as: Float.self) == [1.5])
    }

    @Test(
        "invalid submissions name the problem",
        arguments: [
            (#"[]"#, "JSON object"),
            (#"{"items": []}"#, "'model'"),
            (#"{"model": "m", "items": [{"inputs": []}]}"#, "items[0].id"),
            (
                #"{"model": "m", "items": [{"id": "a", "inputs": [{"name": "X", "datatype": "INT32", "shape": [2], "data": [1]}]}]}"#,
                "items[0]"
            ),
        ])
    func invalid(body: String, mention: String) {
        #expect {
            try BatchSubmission.parseJSON(Data(body.utf8))
        } throws: { error in
            guard let error = error as? BatchWorkerError else { return false }
            return error.isInvalidSubmission && error.reason.contains(mention)
        }
    }
}
