import Foundation
import Gateway
import InferenceProtocol
import TestSupport
import Testing

@Suite(
    "Request validation at the gateway", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["ROUTER_URL"] != nil, "ROUTER_URL not set: run `make up` first"))
struct ValidationTests {
    static func body(_ inputs: String) -> Data {
        Data(#"{"inputs":[\#(inputs)]}"#.utf8)
    }

    static let input1 = #"{"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}"#

    @Test("413 for a body over the limit; 415 for encodings, and for types only where the format depends on them")
    func sizeAndType() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.maxBodyBytes = 4096
        settings.maxImageBytes = 2048
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings) { gateway in
            let big = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.jsonBearer(token), body: Data(count: 10_000))
            #expect(big.status == 413, "\(big.text)")
            #expect(big.errorMessage.contains("limit is 4096"))
            let bigImage = try await gateway.send(
                "POST", "/v1/models/digits/classify", headers: Requests.bearer(token) + [("Content-Type", "image/png")],
                body: Data(count: 3000))
            #expect(bigImage.status == 413)

            let text = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.bearer(token) + [("Content-Type", "text/plain")],
                body: Requests.simpleJSON)
            // Inference reads the body whatever its type claims, as Triton does.
            #expect(text.status == 200, "\(text.text)")
            let gzip = try await gateway.send(
                "POST", "/v2/models/simple/infer",
                headers: Requests.jsonBearer(token) + [("Content-Encoding", "gzip")], body: Requests.simpleJSON)
            #expect(gzip.status == 415)
            let form = try await gateway.send(
                "POST", "/v1/models/digits/classify",
                headers: Requests.bearer(token) + [("Content-Type", "application/x-www-form-urlencoded")],
                body: Data("a=b".utf8))
            #expect(form.status == 415)

            let fine = try await gateway.send(
                "POST", "/v2/models/simple/infer", headers: Requests.jsonBearer(token), body: Requests.simpleJSON)
            #expect(fine.status == 200, "\(fine.text)")
        }
    }

    @Test("400 names the place in malformed JSON and the tensor that does not fit the model; 404 for unknown models")
    func malformedAndMismatched() async throws {
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
            func infer(_ body: Data, model: String = "simple") async throws -> (Int, String) {
                let answer = try await gateway.send(
                    "POST", "/v2/models/\(model)/infer", headers: Requests.jsonBearer(token), body: body)
                return (answer.status, answer.errorMessage)
            }
            let truncated = try await infer(Data(#"{"inputs":[{"name":"INPUT0","#.utf8))
            #expect(truncated.0 == 400)
            #expect(truncated.1.contains("byte"), "\(truncated.1)")

            let wrongShape = try await infer(
                Self.body(
                    #"{"name":"INPUT0","datatype":"INT32","shape":[1,15],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]},"#
                        + Self.input1))
            #expect(wrongShape.0 == 400)
            #expect(wrongShape.1.contains("INPUT0") && wrongShape.1.contains("shape"), "\(wrongShape.1)")

            let wrongType = try await infer(
                Self.body(
                    #"{"name":"INPUT0","datatype":"FP32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},"#
                        + Self.input1))
            #expect(wrongType.0 == 400)
            #expect(wrongType.1.contains("INPUT0") && wrongType.1.contains("datatype"), "\(wrongType.1)")

            let unknownInput = try await infer(
                Self.body(
                    #"{"name":"INPUTX","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},"#
                        + Self.input1))
            #expect(unknownInput.0 == 400)
            #expect(unknownInput.1.contains("INPUTX"), "\(unknownInput.1)")

            let missing = try await infer(Self.body(Self.input1))
            #expect(missing.0 == 400)
            #expect(missing.1.contains("INPUT0") && missing.1.contains("missing"), "\(missing.1)")

            let dataMismatch = try await infer(
                Self.body(#"{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[1,2,3]},"# + Self.input1))
            #expect(dataMismatch.0 == 400)
            #expect(dataMismatch.1.contains("INPUT0"), "\(dataMismatch.1)")

            let unknownModel = try await infer(Requests.simpleJSON, model: "no-such-model")
            #expect(unknownModel.0 == 404, "\(unknownModel.1)")
            let metadata = try await gateway.send("GET", "/v2/models/no-such-model", headers: Requests.bearer(token))
            #expect(metadata.status == 404)
            let unknownRoute = try await gateway.send("GET", "/v3/anything", headers: Requests.bearer(token))
            #expect(unknownRoute.status == 404)
            #expect(!unknownRoute.errorMessage.isEmpty)
            let badK = try await gateway.send(
                "POST", "/v1/models/digits/classify?k=0",
                headers: Requests.bearer(token) + [("Content-Type", "image/png")],
                body: Data([1, 2, 3]))
            #expect(badK.status == 400)
            #expect(badK.errorMessage.contains("k must be"))
        }
    }

    @Test("binary tensors pass through; a wrong Inference-Header-Content-Length is a 400")
    func binaryBodies() async throws {
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        let encoded = try Requests.simpleBinary()
        let length = try #require(encoded.jsonHeaderLength)
        try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
            let headers = Requests.bearer(token) + [("Content-Type", "application/octet-stream")]
            let good = try await gateway.send(
                "POST", "/v2/models/simple/infer",
                headers: headers + [("Inference-Header-Content-Length", String(length))],
                body: encoded.body)
            #expect(good.status == 200, "\(good.text)")
            let decoded = try InferenceCodec.decodeResponse(
                good.body, jsonHeaderLength: good.header("Inference-Header-Content-Length").flatMap(Int.init))
            #expect(try decoded.output(named: "OUTPUT0")?.values(as: Int32.self) == (1...16).map(Int32.init))

            for bad in ["-1", String(encoded.body.count + 10), "abc", String(length - 3)] {
                let answer = try await gateway.send(
                    "POST", "/v2/models/simple/infer", headers: headers + [("Inference-Header-Content-Length", bad)],
                    body: encoded.body)
                #expect(answer.status == 400, "length \(bad): \(answer.status) \(answer.text)")
            }
        }
    }
}
