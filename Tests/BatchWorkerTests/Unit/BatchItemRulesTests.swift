import BatchProtocol
import BatchWorker
import Foundation
import InferenceProtocol
import Testing

@Suite("Batch item rules shared by the API and the worker")
struct BatchItemRulesTests {
    static func message(
        model: String = "simple", version: String? = nil, itemID: String = "a", input: String = "INPUT0",
        output: String? = nil, callbackURL: String? = nil, owner: String? = nil
    ) -> BatchItemMessage {
        var request = InferRequest(inputs: [InferTensor(name: input, shape: [1, 2], values: [Int32(1), 2])])
        if let output { request.outputs = [InferRequestedOutput(name: output)] }
        return BatchItemMessage(
            jobID: UUID(), itemID: itemID, model: model, version: version, request: request, callbackURL: callbackURL,
            owner: owner)
    }

    @Test(
        "control characters in names are refused, naming the field",
        arguments: [
            (message(model: "sim\u{0}ple"), "model"), (message(version: "1\n"), "version"),
            (message(itemID: "a\u{7}"), "item_id"), (message(input: "IN\u{1b}[31m"), "inputs[0].name"),
            (message(output: "OUT\u{85}"), "outputs[0].name"), (message(owner: "key:a\r\nb"), "owner"),
        ])
    func controlCharacters(message: BatchItemMessage, field: String) {
        #expect {
            try message.validate()
        } throws: { error in
            (error as? BatchWorkerError)?.reason.contains(field) == true
        }
    }

    @Test("a message produced to Kafka with such a name is refused when the worker decodes it")
    func decodedMessages() throws {
        let good = try Self.message(owner: "key:alice").encoded()
        let decoded = try BatchItemMessage.decode(good)
        #expect(decoded.owner == "key:alice")
        let bad = String(decoding: good, as: UTF8.self).replacingOccurrences(of: "INPUT0", with: "IN\\u0000PUT0")
        #expect {
            try BatchItemMessage.decode(Array(bad.utf8))
        } throws: { error in
            (error as? BatchWorkerError)?.reason.contains("inputs[0].name") == true
        }
    }

    @Test(
        "callback URLs: http(s) with a host, no user info, bounded",
        arguments: [
            ("https://hooks.example.com/done?x=1", nil), ("http://10.0.0.1:8080/cb", nil),
            ("ftp://example.com/x", "http or https"), ("file:///etc/passwd", "http or https"),
            ("http://user:pw@example.com/", "user name"), ("http://user@example.com/", "user name"),
            ("http:///nohost", "host"), ("http://exa mple.com/", "whitespace"),
            ("http://example.com/" + String(repeating: "a", count: 2100), "2048"), ("not a url", "whitespace"),
            ("javascript:alert(1)", "http or https"),
        ] as [(String, String?)])
    func callbackURLs(url: String, problem: String?) {
        let found = BatchFieldRules.callbackURLProblem(url)
        if let problem {
            #expect(found?.contains(problem) == true, "\(url): \(found ?? "accepted")")
        } else {
            #expect(found == nil, "\(url): \(found ?? "")")
        }
    }

    @Test("a shard's key names its job, partition and first and last offsets")
    func shardKey() {
        let key = BatchNaming.shardKey(prefix: "out/a", jobID: "j1", partition: 3, firstOffset: 17, lastOffset: 24)
        #expect(key == "out/a/j1/shards/3-17-24.jsonl")
    }
}
