import Foundation
import InferenceProtocol
import Testing

@testable import TritonClient

@Suite("Triton timeout parameter injection")
struct TimeoutParameterTests {
    static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("a body without parameters gets them; the rest is untouched")
    func noParameters() throws {
        let body = Data(#"{"inputs":[{"name":"X","parameters":{"binary_data_size":4}}]}"#.utf8)
        let (result, length) = TimeoutParameter.inject(into: body, headerLength: nil, microseconds: 2500)
        #expect(length == nil)
        let object = try Self.json(result)
        #expect((object["parameters"] as? [String: Any])?["timeout"] as? Int == 2500)
        #expect((object["inputs"] as? [[String: Any]])?.first?["name"] as? String == "X")
    }

    @Test("existing top-level parameters gain timeout; a nested 'parameters' is not mistaken for it")
    func existingParameters() throws {
        let body = Data(
            #"{"outputs":[{"name":"P","parameters":{"classification":3}}],"parameters":{"priority":1}}"#.utf8)
        let (result, _) = TimeoutParameter.inject(into: body, headerLength: nil, microseconds: 7)
        let object = try Self.json(result)
        let parameters = try #require(object["parameters"] as? [String: Any])
        #expect(parameters["timeout"] as? Int == 7)
        #expect(parameters["priority"] as? Int == 1)
        let output = try #require((object["outputs"] as? [[String: Any]])?.first)
        #expect((output["parameters"] as? [String: Any])?["timeout"] == nil)
    }

    @Test("a client's own timeout wins; empty objects and keys inside strings are handled")
    func edgeCases() throws {
        let own = Data(#"{"parameters":{"timeout":99}}"#.utf8)
        #expect(TimeoutParameter.inject(into: own, headerLength: nil, microseconds: 5).0 == own)
        let empty = try Self.json(TimeoutParameter.inject(into: Data("{ }".utf8), headerLength: nil, microseconds: 5).0)
        #expect((empty["parameters"] as? [String: Any])?["timeout"] as? Int == 5)
        let emptyParameters = try Self.json(
            TimeoutParameter.inject(into: Data(#"{"parameters":{}}"#.utf8), headerLength: nil, microseconds: 5).0)
        #expect((emptyParameters["parameters"] as? [String: Any])?["timeout"] as? Int == 5)
        let tricky = Data(#"{"id":"a \"parameters\": {","inputs":[]}"#.utf8)
        let object = try Self.json(TimeoutParameter.inject(into: tricky, headerLength: nil, microseconds: 5).0)
        #expect(object["id"] as? String == #"a "parameters": {"#)
        #expect((object["parameters"] as? [String: Any])?["timeout"] as? Int == 5)
        let notJSON = Data("garbage".utf8)
        #expect(TimeoutParameter.inject(into: notJSON, headerLength: nil, microseconds: 5).0 == notJSON)
    }

    @Test("a binary-tensor body: the header grows, the length follows, the tensor bytes are intact")
    func binaryBody() throws {
        let request = InferRequest(inputs: [InferTensor(name: "A", shape: [1, 4], values: [Int32(1), 2, 3, 4])])
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: true)
        let (result, length) = TimeoutParameter.inject(
            into: encoded.body, headerLength: encoded.jsonHeaderLength, microseconds: 1234)
        let decoded = try InferenceCodec.decodeRequest(result, jsonHeaderLength: length)
        #expect(decoded.parameters["timeout"] == .int(1234))
        #expect(try decoded.inputs[0].values(as: Int32.self) == [1, 2, 3, 4])
    }
}
