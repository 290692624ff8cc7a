import Foundation
import InferenceProtocol
import Testing

@testable import BatchWorker
@testable import BatchProtocol

@Suite("The item message on inference.batch.requests")
struct BatchItemMessageTests {
    let jobID = UUID(uuidString: "7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f")!

    @Test("encode then decode gives the same item")
    func roundTrip() throws {
        let message = BatchItemMessage(
            jobID: jobID, itemID: "item-1", model: "simple", version: "1",
            request: InferRequest(inputs: [
                InferTensor(name: "INPUT0", shape: [1, 2], values: [Int32](arrayLiteral: 3, 4))
            ]),
            outputPrefix: "tenant/a", jobTotal: 10, callbackURL: "https://hooks.example/done", owner: "key:alice",
            position: 7)
        let bytes = try message.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\"callback_url\":\"https://hooks.example/done\",\"item_id\":\"item-1\","))
        #expect(text.contains("\"position\":7"))
        #expect(try BatchItemMessage.decode(bytes) == message)
        #expect(BatchItemMessage.decodeInOnePass(Data(bytes)) == message, "read in one pass")
    }

    @Test("the documented external-producer example decodes")
    func externalExample() throws {
        let value = """
            {"job_id": "7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f", "item_id": "42", "model": "simple",
             "inputs": [{"name": "INPUT0", "datatype": "INT32", "shape": [1, 2], "data": [1, 2]}]}
            """
        let message = try BatchItemMessage.decode(Array(value.utf8))
        #expect(message.itemID == "42")
        #expect(message.version == nil && message.jobTotal == nil)
        #expect(try message.request.inputs[0].values(as: Int32.self) == [1, 2])
    }

    @Test(
        "unreadable or unusable messages are refused with a reason",
        arguments: [
            ("not json", "malformed_message"),
            (#"{"item_id":"a","model":"m","inputs":[]}"#, "malformed_message"),
            (#"{"job_id":"nope","item_id":"a","model":"m","inputs":[]}"#, "malformed_message"),
            (
                #"{"job_id":"7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","item_id":"a","model":"m","position":"3","inputs":[{"name":"A","datatype":"INT32","shape":[1],"data":[1]}]}"#,
                "malformed_message"
            ),
            (
                #"{"job_id":"7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","item_id":"a","model":"m","position":-1,"inputs":[{"name":"A","datatype":"INT32","shape":[1],"data":[1]}]}"#,
                "invalid_item"
            ),
            (
                #"{"job_id":"7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","item_id":"a","model":{"x":1},"inputs":[{"name":"A","datatype":"INT32","shape":[1],"data":[1]}]}"#,
                "malformed_message"
            ),
            (
                #"{"job_id":"7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","item_id":"../x","model":"m","inputs":[{"name":"A","datatype":"INT32","shape":[1],"data":[1]}]}"#,
                "invalid_item"
            ),
            (
                #"{"job_id":"7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","item_id":"a","model":"m","inputs":[{"name":"A","datatype":"INT32","shape":[2],"data":[1]}]}"#,
                "invalid_item"
            ),
            (
                #"{"job_id":"7d0f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","item_id":"manifest","model":"m","inputs":[{"name":"A","datatype":"INT32","shape":[1],"data":[1]}]}"#,
                "invalid_item"
            ),
        ])
    func refused(value: String, code: String) {
        #expect {
            try BatchItemMessage.decode(Array(value.utf8))
        } throws: { error in
            (error as? BatchWorkerError)?.name == code
        }
    }

    @Test("a dead-letter record embeds a JSON original as JSON and anything else as base64")
    func deadLetter() throws {
        let record = DeadLetterRecord(
            jobID: "j", itemID: "i", model: "m", version: nil, errorCode: "invalid_item", reason: "bad",
            failedAt: Date(timeIntervalSince1970: 0), source: .init(topic: "t", partition: 1, offset: 2),
            originalBase64: nil)
        let json = try JSONSerialization.jsonObject(with: Data(try record.encoded(original: Array(#"{"a":1}"#.utf8))))
        #expect(((json as? [String: Any])?["original"] as? [String: Any])?["a"] as? Int == 1)
        let raw = try JSONSerialization.jsonObject(with: Data(try record.encoded(original: [0xff, 0x00])))
        #expect((raw as? [String: Any])?["original_base64"] as? String == "/wA=")
        #expect((raw as? [String: Any])?["reason"] as? String == "bad")
    }
}
