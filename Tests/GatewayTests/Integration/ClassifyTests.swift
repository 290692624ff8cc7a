import CurlHTTP
import Foundation
import Gateway
import InferenceProtocol
import TestSupport
import Testing
import TritonClient

@Suite(
    "Classify endpoint", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["TRITON_A_URL"] != nil, "TRITON_A_URL not set: run `make up` first"))
struct ClassifyTests {
    struct Answer: Decodable {
        struct Class: Decodable, Equatable {
            var index: Int
            var label: String?
            var score: Double
        }

        var model: String
        var modelVersion: String?
        var k: Int
        var classes: [Class]

        enum CodingKeys: String, CodingKey {
            case model, k, classes
            case modelVersion = "model_version"
        }
    }

    /// Triton's classification extension called directly on one image.
    static func direct(_ png: Data, k: Int, client: TritonHTTPClient) async throws -> [Answer.Class] {
        let request = InferRequest(
            inputs: [InferTensor(name: "IMAGE", shape: [1, 1], bytes: [png])],
            outputs: [InferRequestedOutput(name: "PROBABILITIES", binaryData: true, classification: k)])
        let response = try await client.infer(request, model: "digits", version: "1", binaryInputs: true)
        let entries = try #require(response.output(named: "PROBABILITIES")).classifications()
        return entries.map { Answer.Class(index: $0.index, label: $0.label, score: $0.score) }
    }

    @Test("top-k from the gateway equals Triton's classification extension called directly (raw and multipart)")
    func parity() async throws {
        let items = Array(try DigitsHoldout.load().items.prefix(12))
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        let transport = CurlHTTPTransport()
        let triton = TritonHTTPClient(
            baseURL: try StackEnvironment.current.require("TRITON_A_URL"), transport: transport)
        do {
            try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
                for (position, item) in items.enumerated() {
                    let k = 1 + position % 5
                    let expected = try await Self.direct(item.png, k: k, client: triton)
                    let raw = try await gateway.send(
                        "POST", "/v1/models/digits/classify?k=\(k)&version=1",
                        headers: Requests.bearer(token) + [("Content-Type", "image/png")], body: item.png)
                    #expect(raw.status == 200, "\(raw.text)")
                    let answer = try JSONDecoder().decode(Answer.self, from: raw.body)
                    #expect(answer.classes == expected, "image \(position)")
                    #expect(answer.classes.count == k)
                    #expect(answer.model == "digits" && answer.modelVersion == "1")

                    let boundary = "gateway-test-\(position)"
                    var form = Data(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
                    form += Data(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\nContent-Type: image/png\r\n\r\n"
                            .utf8)
                    form += item.png + Data("\r\n--\(boundary)--\r\n".utf8)
                    let multipart = try await gateway.send(
                        "POST", "/v1/models/digits/classify?k=\(k)&version=1",
                        headers: Requests.bearer(token) + [
                            ("Content-Type", "multipart/form-data; boundary=\(boundary)")
                        ],
                        body: form)
                    #expect(multipart.status == 200, "\(multipart.text)")
                    #expect(try JSONDecoder().decode(Answer.self, from: multipart.body).classes == expected)
                }
                let notAnImage = try await gateway.send(
                    "POST", "/v1/models/digits/classify?version=1",
                    headers: Requests.bearer(token) + [("Content-Type", "image/png")], body: Data("hello".utf8))
                #expect(notAnImage.status == 400, "\(notAnImage.text)")
                let cannotClassify = try await gateway.send(
                    "POST", "/v1/models/simple/classify",
                    headers: Requests.bearer(token) + [("Content-Type", "image/png")],
                    body: items[0].png)
                #expect(cannotClassify.status == 400)
            }
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }
}
