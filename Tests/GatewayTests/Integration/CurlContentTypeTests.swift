import Foundation
import InferenceProtocol
import TestSupport
import Testing

/// Triton's documented way of calling it, `curl -d '{...}'` with no Content-Type (curl then sends
/// `application/x-www-form-urlencoded`), works through the gateway too; the routes whose format
/// depends on the type still refuse a wrong one. Real curl against a live gateway.
@Suite(
    "curl without a Content-Type", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["ROUTER_URL"] != nil, "ROUTER_URL not set: run `make up` first"))
struct CurlContentTypeTests {
    /// Runs curl and returns (HTTP status, body).
    static func curl(_ arguments: [String]) async throws -> (status: Int, body: String) {
        let result = try await ProcessRunner.run(
            "/usr/bin/curl", ["-sS", "--max-time", "60", "-w", "\n%{http_code}"] + arguments)
        #expect(result.status == 0, "curl failed: \(result.errorOutput)")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test("curl -d with JSON infers; curl --data-binary with binary tensors and the header length infers")
    func inferWithoutContentType() async throws {
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
            let json = String(decoding: Requests.simpleJSON, as: UTF8.self)
            let plain = try await Self.curl([
                "-H", "Authorization: Bearer \(token)", "-d", json, gateway.url + "/v2/models/simple/infer",
            ])
            #expect(plain.status == 200, "\(plain.body)")
            #expect(plain.body.contains("OUTPUT0"))

            let encoded = try Requests.simpleBinary()
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("binary-\(UUID().uuidString)")
            try encoded.body.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let binary = try await Self.curl([
                "-H", "Authorization: Bearer \(token)",
                "-H", "Inference-Header-Content-Length: \(try #require(encoded.jsonHeaderLength))",
                "--data-binary", "@" + file.path, "-o", "/dev/null", gateway.url + "/v2/models/simple/infer",
            ])
            #expect(binary.status == 200)

            // The same bytes without the header length are JSON, and not valid JSON: a clear 400.
            let unsplit = try await Self.curl([
                "-H", "Authorization: Bearer \(token)", "--data-binary", "@" + file.path,
                gateway.url + "/v2/models/simple/infer",
            ])
            #expect(unsplit.status == 400, "\(unsplit.body)")
        }
    }

    @Test("classify still refuses a form-encoded body with 415 naming what it takes")
    func formatDependentRoutesStillRefuse() async throws {
        let token = try await TokenFactory.hs256(TokenFactory.claims(scope: "infer batch"))
        try await GatewayFixture.with(try GatewayFixture.stackSettings()) { gateway in
            let classify = try await Self.curl([
                "-H", "Authorization: Bearer \(token)", "-d", "not-an-image",
                gateway.url + "/v1/models/digits/classify",
            ])
            #expect(classify.status == 415, "\(classify.body)")
            #expect(classify.body.contains("image"))
        }
    }
}
