import CurlHTTP
import Foundation
import InferenceProtocol
import TestSupport
import Testing

/// The stack's running router process (`ROUTER_URL`), as a client on the network sees it.
@Suite(
    "The stack's router process", .serialized, .timeLimit(.minutes(2)),
    .enabled(
        if: StackEnvironment.current.values["ROUTER_URL"] != nil || StackEnvironment.current.requiresStack,
        "ROUTER_URL not set: run `make up` first"))
struct RouterProcessTests {
    static func withTransport(_ body: (CurlHTTPTransport, String) async throws -> Void) async throws {
        let url = try StackEnvironment.current.require("ROUTER_URL")
        let transport = CurlHTTPTransport()
        do {
            try await body(transport, url)
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }

    @Test("the request that used to kill the router is 400 naming the header, and the router lives on")
    func negativeHeaderLength() async throws {
        try await Self.withTransport { transport, url in
            let body = Data(#"{"inputs":[]}"#.utf8)
            for value in ["-1", "-9223372036854775808", "abc", "999"] {
                let answer = try await transport.execute(
                    HTTPRequestSpec(
                        method: "POST", url: url + "/v2/models/simple/infer",
                        headers: [
                            (name: "x-request-timeout-ms", value: "1000"),
                            (name: "Inference-Header-Content-Length", value: value),
                            (name: "Content-Type", value: "application/octet-stream"),
                        ],
                        body: body, timeout: .seconds(5)))
                #expect(answer.status == 400, "\(value)")
                #expect(String(decoding: answer.body, as: UTF8.self).contains("Inference-Header-Content-Length"))
            }
            let live = try await transport.execute(
                HTTPRequestSpec(method: "GET", url: url + "/v2/health/live", timeout: .seconds(5)))
            #expect(live.status == 200)
        }
    }

    @Test("the admin API answers only with the stack's admin token")
    func adminToken() async throws {
        let token = try StackEnvironment.current.require("ROUTER_ADMIN_TOKEN")
        try await Self.withTransport { transport, url in
            for headers in [[], [(name: "Authorization", value: "Bearer not-the-token")]] {
                let refused = try await transport.execute(
                    HTTPRequestSpec(method: "GET", url: url + "/admin/routes", headers: headers, timeout: .seconds(5)))
                #expect(refused.status == 401)
                let put = try await transport.execute(
                    HTTPRequestSpec(
                        method: "PUT", url: url + "/admin/routes/simple", headers: headers,
                        body: Data(#"{"targets":[{"weight":1}]}"#.utf8), timeout: .seconds(5)))
                #expect(put.status == 401)
            }
            let allowed = try await transport.execute(
                HTTPRequestSpec(
                    method: "GET", url: url + "/admin/backends",
                    headers: [(name: "Authorization", value: "Bearer \(token)")], timeout: .seconds(5)))
            #expect(allowed.status == 200)
            #expect(String(decoding: allowed.body, as: UTF8.self).contains("triton-a"))
        }
    }

    @Test("200 made-up model names are 404 and add no /metrics series")
    func metricsBounded() async throws {
        try await Self.withTransport { transport, url in
            func unknown(_ name: String) async throws -> Int {
                try await transport.execute(
                    HTTPRequestSpec(
                        method: "POST", url: url + "/v2/models/\(name)/infer",
                        headers: [
                            (name: "Content-Type", value: "application/json"), (name: "x-model-version", value: name),
                        ],
                        body: Data("{}".utf8), timeout: .seconds(5))
                ).status
            }
            func series() async throws -> [Substring] {
                let text = try await transport.execute(
                    HTTPRequestSpec(method: "GET", url: url + "/metrics", timeout: .seconds(5))
                ).body
                return String(decoding: text, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
                    .map { $0.prefix { $0 != " " } }
            }
            #expect(try await unknown("warm-up-unknown-model") == 404)
            let before = Set(try await series())
            var generator = SplitMix64(seed: 99)
            var names: [String] = []
            for _ in 0..<200 {
                let name = "made-up-\(generator.next() % 1_000_000_000)"
                names.append(name)
                #expect(try await unknown(name) == 404)
            }
            let after = Set(try await series())
            // Other suites share this router, so series of known models may appear meanwhile; none
            // may come from a made-up name, and model labels stay within the stack's models (the
            // fault-injection model included: the gRPC deadline test calls it through this router).
            let added = after.subtracting(before)
            #expect(!added.contains { line in names.contains { line.contains($0) } }, "\(added.prefix(5))")
            let modelLabels = Set(after.compactMap(Self.modelLabel))
            #expect(modelLabels.isSubset(of: ["simple", "digits", "faulty", "other"]), "\(modelLabels)")
            #expect(modelLabels.contains("other"))
        }
    }

    /// The value of a series' `model` label, if it has one.
    static func modelLabel(_ series: Substring) -> String? {
        guard let start = series.range(of: "model=\"") else { return nil }
        return String(series[start.upperBound...].prefix { $0 != "\"" })
    }

    @Test("GET /v2 names the router, not a Triton")
    func serverMetadata() async throws {
        try await Self.withTransport { transport, url in
            let answer = try await transport.execute(
                HTTPRequestSpec(method: "GET", url: url + "/v2", timeout: .seconds(5)))
            let metadata = try JSONDecoder().decode(ServerMetadata.self, from: answer.body)
            #expect(metadata.name == "triton-router")
            #expect(!metadata.supports("system_shared_memory") && !metadata.supports("sequence"))
        }
    }
}
