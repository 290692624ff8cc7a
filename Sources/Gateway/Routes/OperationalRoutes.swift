import InferenceProtocol
import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import RedisClient
import TritonClient

/// The open operational endpoints: `/healthz` (the process is up), `/readyz` (whether this
/// gateway should take traffic), `/metrics` (Prometheus text) and `/openapi.yaml`.
struct OperationalRoutes: Sendable {
    let redis: RedisClient
    /// True when Redis being unreachable makes the gateway refuse requests (rate-limit failure
    /// mode `closed`); with `open` it keeps admitting them, so Redis does not gate readiness.
    let redisGatesReadiness: Bool
    let upstream: any KServeUpstream
    let registry: PrometheusCollectorRegistry
    let openAPIDocument: Data?

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in Self.json(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in await readiness() }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/openapi.yaml") { _, _ in
            guard let openAPIDocument else { throw HTTPError(.notFound, message: "no OpenAPI document is installed") }
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
    }

    /// Reports Redis and the upstream in the body. Only Redis under the `closed` failure mode
    /// answers 503: every gateway shares Redis and the router, so failing readiness on them would
    /// take all gateways out of the Service at once, defeating fail-open and turning the
    /// gateway's own 503 answers (with their reason) into connection errors. Otherwise 200, with
    /// `"status": "degraded"` while a dependency is down.
    func readiness() async -> Response {
        async let redisState = redisCheck()
        async let upstreamState = upstreamCheck()
        let checks = ["redis": await redisState, "upstream": await upstreamState]
        let healthy = checks.values.allSatisfy { $0 == "ok" }
        let ready = !redisGatesReadiness || checks["redis"] == "ok"
        var body = checks
        body["status"] = ready ? (healthy ? "ready" : "degraded") : "not ready"
        return Self.json(ready ? .ok : .serviceUnavailable, body)
    }

    private func redisCheck() async -> String {
        do {
            let reply = try await redis.execute(["PING"])
            return reply.stringValue == "PONG" ? "ok" : "unexpected reply"
        } catch {
            return "unreachable"
        }
    }

    private func upstreamCheck() async -> String {
        do {
            let answer = try await upstream.forward(
                UpstreamRequest(method: "GET", path: "/v2/health/ready", deadline: .now + .seconds(2)))
            return answer.status == 200 ? "ok" : "not ready (HTTP \(answer.status))"
        } catch {
            return "unreachable"
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: [String: String]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
