import CurlHTTP
import Foundation
import Gateway
import InferenceProtocol
import RateLimiting
import TestSupport
import Testing

/// Seeded random malformed requests: truncated and garbled JSON, wrong types, huge or negative
/// dimensions, bad binary lengths, random headers and paths. The gateway must answer every one
/// with a status below 500 and stay up.
@Suite(
    "Bounded fuzz of bodies and headers", .serialized, .timeLimit(.minutes(6)),
    .enabled(if: StackEnvironment.current.values["ROUTER_URL"] != nil, "ROUTER_URL not set: run `make up` first"))
struct FuzzTests {
    static let caseCount = 2000
    static let seed: UInt64 = 0x6761_7465_7761_7931

    struct FuzzCase: Sendable {
        var method: String
        var path: String
        var headers: [(name: String, value: String)]
        var body: Data?
        var kind: String
    }

    @Test("2,000 seeded malformed requests: never a 5xx, the gateway stays up")
    func fuzz() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.rateLimit.principal = RateLimitPolicy(limit: 100_000, period: .seconds(1), burst: 100_000)
        settings.maxBodyBytes = 1 << 20
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        var generator = SplitMix64(seed: Self.seed)
        let binary = try Requests.simpleBinary()
        let png = try DigitsHoldout.load().items[0].png
        let cases = (0..<Self.caseCount).map { _ in Self.makeCase(&generator, token: token, binary: binary, png: png) }

        try await GatewayFixture.with(settings) { gateway in
            let failures = try await withThrowingTaskGroup(of: String?.self) { group in
                var failures: [String] = []
                for (index, fuzzCase) in cases.enumerated() {
                    if index >= 8, let failure = try await group.next() { failures += failure.map { [$0] } ?? [] }
                    group.addTask {
                        let answer = try await gateway.send(
                            fuzzCase.method, fuzzCase.path, headers: fuzzCase.headers, body: fuzzCase.body)
                        guard answer.status >= 500 else { return nil }
                        return "case \(index) (\(fuzzCase.kind)) \(fuzzCase.method) \(fuzzCase.path.prefix(80)): "
                            + "\(answer.status) \(answer.text.prefix(200))"
                    }
                }
                for try await failure in group { failures += failure.map { [$0] } ?? [] }
                return failures
            }
            print("fuzz: \(cases.count) cases (seed \(Self.seed)), \(failures.count) answered 5xx")
            #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
            let health = try await gateway.send("GET", "/healthz")
            #expect(health.status == 200)
        }
    }

    static let models = [
        "simple", "digits", "no-such-model", "", "%2e%2e", "simple%00", String(repeating: "m", count: 300),
    ]
    static let contentTypes = [
        "application/json", "application/octet-stream", "text/plain", "", "application/json; charset=utf-8",
        "multipart/form-data", "multipart/form-data; boundary=", "image/png", "application/json\u{7f}",
    ]

    static func makeCase(_ random: inout SplitMix64, token: String, binary: EncodedBody, png: Data) -> FuzzCase {
        var headers = Requests.bearer(token)
        var body: Data
        var kind: String
        var path = "/v2/models/simple/infer"
        switch Int.random(in: 0..<9, using: &random) {
        case 0:
            kind = "truncated json"
            body = Requests.simpleJSON.prefix(Int.random(in: 0..<Requests.simpleJSON.count, using: &random))
        case 1:
            kind = "garbled json"
            body = Requests.simpleJSON
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                body[Int.random(in: 0..<body.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
        case 2:
            kind = "wrong types"
            let replacements = [
                #""shape":"16""#, #""shape":[[1],16]"#, #""datatype":7"#, #""data":"abc""#, #""name":null"#,
                #""data":{"a":1}"#, #""shape":[1,16.5]"#, #""data":[true,false]"#, #""inputs":{}"#, #""parameters":[]"#,
            ]
            let pick = replacements[Int.random(in: 0..<replacements.count, using: &random)]
            let text = String(decoding: Requests.simpleJSON, as: UTF8.self)
            let key = String(pick.split(separator: ":", maxSplits: 1)[0])
            if let range = text.range(of: key + ":") {
                let end = text[range.upperBound...].firstIndex(where: { $0 == "," || $0 == "}" }) ?? text.endIndex
                body = Data((text[..<range.lowerBound] + pick + text[end...]).utf8)
            } else {
                body = Data(pick.utf8)
            }
        case 3:
            kind = "huge or negative dims"
            let dims = [
                "[1,4611686018427387904]", "[-5,16]", "[1e30,16]", "[9223372036854775807,9223372036854775807]",
                "[0,16]", "[]", "[1,16,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[-1,-1]", "[18446744073709551616]",
            ]
            let shape = dims[Int.random(in: 0..<dims.count, using: &random)]
            body = Data(
                #"{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":\#(shape),"data":[1,2,3]}]}"#.utf8)
        case 4:
            kind = "bad binary length"
            body = binary.body
            let length = binary.jsonHeaderLength ?? 0
            let choices = [
                "-1", "0", String(body.count), String(body.count + 1), String(length - 1), String(length + 1),
                "99999999999999999999", "1e3", " ", String(Int.random(in: 0..<body.count, using: &random)),
            ]
            headers.append(
                ("Inference-Header-Content-Length", choices[Int.random(in: 0..<choices.count, using: &random)]))
            headers.append(("Content-Type", "application/octet-stream"))
            if Bool.random(using: &random) { body = body.prefix(Int.random(in: 0..<body.count, using: &random)) }
        case 5:
            kind = "random bytes"
            body = Data(
                (0..<Int.random(in: 0..<512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        case 6:
            kind = "random path"
            let model = models[Int.random(in: 0..<models.count, using: &random)]
            let suffixes = [
                "/infer", "/versions/1/infer", "/versions/x/infer", "/versions//infer", "/ready", "", "/config",
            ]
            path = "/v2/models/\(model)" + suffixes[Int.random(in: 0..<suffixes.count, using: &random)]
            body = Requests.simpleJSON
        case 7:
            kind = "classify garbage"
            let queries = ["", "?k=abc", "?k=-1", "?k=99999", "?k=3&version=9", "?k=2&output=NOPE", "?k=1&version=1"]
            path = "/v1/models/digits/classify" + queries[Int.random(in: 0..<queries.count, using: &random)]
            body = Bool.random(using: &random) ? png.prefix(Int.random(in: 0..<png.count, using: &random)) : png
        default:
            kind = "deep nesting"
            let depth = Int.random(in: 1...3000, using: &random)
            body = Data((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        }
        // Random extra headers: content types, request ids, deadlines, credentials.
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0:
                headers.append(("Content-Type", contentTypes[Int.random(in: 0..<contentTypes.count, using: &random)]))
            case 1:
                headers.append(("x-request-id", randomText(&random, length: Int.random(in: 0...200, using: &random))))
            case 2:
                // Invalid deadlines only: a valid short one may rightly end in 504.
                let values = ["0", "-5", "abc", "600001", "1.5", "99999999999999999999"]
                headers.append(("x-request-timeout-ms", values[Int.random(in: 0..<values.count, using: &random)]))
            case 3:
                headers.append(("x-model-version", randomText(&random, length: Int.random(in: 0...12, using: &random))))
            default:
                let name = "x-fuzz-" + String(randomText(&random, length: 6).filter { $0.isLetter || $0.isNumber })
                headers.append((name, randomText(&random, length: 40)))
            }
        }
        return FuzzCase(method: "POST", path: path, headers: headers, body: body, kind: kind)
    }

    /// Printable ASCII without characters that would end a header line.
    static func randomText(_ random: inout SplitMix64, length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+;=@/?%")
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
    }
}
