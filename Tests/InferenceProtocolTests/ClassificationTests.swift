import Foundation
import InferenceProtocol
import Testing

@Suite("Classification extension")
struct ClassificationTests {
    @Test("score:index and score:index:label parse; labels may contain colons")
    func parsing() throws {
        let tensor = InferTensor(
            name: "PROBS", shape: [1, 4], strings: ["0.875:7:seven", "12:3", "-1.5e-3:0:a:b:c", "0.25:12:"])
        #expect(
            try tensor.classifications() == [
                ClassificationEntry(score: 0.875, index: 7, label: "seven"),
                ClassificationEntry(score: 12, index: 3, label: nil),
                ClassificationEntry(score: -0.0015, index: 0, label: "a:b:c"),
                ClassificationEntry(score: 0.25, index: 12, label: ""),
            ])
    }

    @Test(
        "malformed entries are refused, naming the output and the position",
        arguments: [
            "abc", "0.5", "0.5:x", "0.5:-1:neg", ":3:x", "0.5:3.5",
        ])
    func malformed(entry: String) throws {
        let tensor = InferTensor(name: "PROBS", shape: [2], strings: ["0.1:1", entry])
        let error = try #require(throws: InferenceProtocolError.self) { try tensor.classifications() }
        #expect(error.code == .malformedClassification)
        #expect(error.message.hasPrefix("output 'PROBS': classification entry 1 is '\(entry)'"))
    }

    @Test("a non-BYTES tensor has no classifications")
    func wrongDatatype() {
        #expect(throws: InferenceProtocolError.self) {
            try InferTensor(name: "x", shape: [1], values: [Float(1)]).classifications()
        }
    }

    @Test("entries group by batch, and print back in Triton's form")
    func batches() throws {
        let texts = ["0.9:1:one", "0.1:0:zero", "0.6:0:zero", "0.4:1:one"]
        let tensor = InferTensor(name: "c", shape: [2, 2], strings: texts)
        let batches = try tensor.classificationsByBatch()
        #expect(batches.map { $0.map(\.index) } == [[1, 0], [0, 1]])
        #expect(try tensor.classifications().map(\.text) == texts)
        #expect(ClassificationEntry(score: 3, index: 2).text == "3:2")
    }

    @Test("a classification response decodes from Triton's JSON")
    func fromResponse() throws {
        let json =
            #"{"model_name":"digits","model_version":"1","outputs":[{"name":"PROBABILITIES","datatype":"BYTES","#
            + #""shape":[1,2],"data":["0.998:3:3","0.001:8:8"]}]}"#
        let response = try InferenceCodec.decodeResponse(Data(json.utf8), jsonHeaderLength: nil)
        let top = try #require(response.output(named: "PROBABILITIES")).classifications()
        #expect(top.first == ClassificationEntry(score: 0.998, index: 3, label: "3"))
    }
}
