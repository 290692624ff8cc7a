import CurlHTTP
import Foundation
import Gateway
import RateLimiting
import TestSupport
import Testing

/// Measures (does not assert) the latency the gateway and the router add over a direct Triton
/// call, interleaving the two paths in one run so both see the same machine load.
@Suite(
    "Added latency, measured", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["TRITON_A_URL"] != nil, "TRITON_A_URL not set: run `make up` first"))
struct LatencyMeasurement {
    static let rounds = 400

    @Test("gateway → router → Triton versus Triton directly: median and p99 of the same run")
    func addedLatency() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.rateLimit.principal = RateLimitPolicy(limit: 100_000, period: .seconds(1), burst: 100_000)
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        let triton = try StackEnvironment.current.require("TRITON_A_URL")
        try await GatewayFixture.with(settings) { gateway in
            let direct = HTTPRequestSpec(
                method: "POST", url: triton + "/v2/models/simple/infer",
                headers: [(name: "Content-Type", value: "application/json")], body: Requests.simpleJSON,
                timeout: .seconds(30))
            let viaGateway = HTTPRequestSpec(
                method: "POST", url: gateway.url + "/v2/models/simple/infer", headers: Requests.jsonBearer(token),
                body: Requests.simpleJSON, timeout: .seconds(30))
            for _ in 0..<20 {  // warm connections and the metadata cache
                _ = try await gateway.client.execute(direct)
                _ = try await gateway.client.execute(viaGateway)
            }
            var directTimes: [Duration] = []
            var gatewayTimes: [Duration] = []
            for round in 0..<Self.rounds {
                for first in [round % 2 == 0, round % 2 != 0] {
                    let spec = first ? direct : viaGateway
                    let start = ContinuousClock.now
                    let answer = try await gateway.client.execute(spec)
                    let elapsed = ContinuousClock.now - start
                    #expect(answer.status == 200)
                    if first { directTimes.append(elapsed) } else { gatewayTimes.append(elapsed) }
                }
            }
            let report = Self.report(direct: directTimes, gateway: gatewayTimes)
            print(report)
        }
    }

    static func percentile(_ values: [Duration], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return sorted[max(0, index)] / .microseconds(1) / 1000
    }

    static func report(direct: [Duration], gateway: [Duration]) -> String {
        let d50 = percentile(direct, 0.5)
        let d99 = percentile(direct, 0.99)
        let g50 = percentile(gateway, 0.5)
        let g99 = percentile(gateway, 0.99)
        return String(
            format: "latency (%d sequential simple/infer each, interleaved): direct Triton median %.3f ms p99 %.3f ms; "
                + "gateway→router→Triton median %.3f ms p99 %.3f ms; added median %.3f ms p99 %.3f ms",
            direct.count, d50, d99, g50, g99, g50 - d50, g99 - d99)
    }
}
