import ObjectStore
import TritonClient
import InferenceProtocol
import CurlHTTP
import Foundation
import Gateway
import HummingbirdTesting
import Logging
import Prometheus
import Routing
import TestSupport

/// A gateway started in-process on an ephemeral port (HummingbirdTesting `.live`), in front of the
/// stack's router, Redis and PostgreSQL, with its own metrics registry; and a libcurl client.
struct GatewayFixture: Sendable {
    /// `http://localhost:PORT`.
    let url: String
    /// `127.0.0.1:PORT` of the gRPC listener, when `settings.grpcPort` was set.
    let grpcAddress: String?
    /// The client transport (libcurl multi), separate from the gateway's own.
    let client: CurlHTTPTransport
    /// The gateway's metrics registry.
    let registry: PrometheusCollectorRegistry

    /// A random HS256 secret for this test process.
    static let hs256Secret = "test-secret-" + UUID().uuidString + UUID().uuidString
    static let issuer = "https://issuer.test.local"
    static let audience = "inference-gateway-tests"

    /// Settings for the stack: the router over HTTP, the stack's Redis and PostgreSQL, an HS256
    /// secret, a fresh Redis key prefix (so runs never share rate-limit state).
    static func stackSettings() throws -> GatewaySettings {
        let stack = StackEnvironment.current
        var settings = GatewaySettings()
        settings.port = 0
        settings.upstream = .http(url: try stack.require("ROUTER_URL"))
        settings.redisURL = try stack.require("REDIS_URL")
        settings.postgresURL = try stack.require("POSTGRES_URL")
        settings.jwt.issuer = issuer
        settings.jwt.audience = audience
        settings.jwt.hs256Secret = hs256Secret
        settings.rateLimit.keyPrefix = "rl-test-" + UUID().uuidString.prefix(8).lowercased()
        settings.openAPIFile = StackEnvironment.repositoryRoot.appendingPathComponent("docs/openapi.yaml").path
        // The local stack's database password is a shipped development value.
        settings.platformEnvironment = "local"
        return settings
    }

    /// Runs `body` against a gateway built from `settings`, then stops and closes everything.
    static func with<Value: Sendable>(
        _ settings: GatewaySettings, routerSettings: RouterSettings? = nil,
        _ body: @Sendable (GatewayFixture) async throws -> Value
    ) async throws -> Value {
        let registry = PrometheusCollectorRegistry()
        let transport = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: 64, maxCachedConnections: 128))
        let client = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: 256, maxCachedConnections: 512))
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .warning
        let gateway: GatewayApplication
        do {
            gateway = try await GatewayApplication.build(
                settings: settings, routerSettings: routerSettings,
                connector: TritonConnector(transport: transport), storage: S3Connector(transport: transport),
                registry: registry,
                metricsFactory: PrometheusMetricsFactory(registry: registry), logger: logger)
        } catch {
            await transport.shutdown()
            await client.shutdown()
            throw error
        }
        let grpc = gateway.grpc
        let result: Result<Value, any Error>
        do {
            let value = try await gateway.application.test(.live) { testClient in
                var grpcAddress: String?
                if let grpc { grpcAddress = "127.0.0.1:\(try await grpc.listeningPort())" }
                let fixture = GatewayFixture(
                    url: "http://localhost:\(testClient.port!)", grpcAddress: grpcAddress, client: client,
                    registry: registry)
                return try await body(fixture)
            }
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        await gateway.shutdown()
        await client.shutdown()
        await transport.shutdown()
        return try result.get()
    }

    /// Sends one request to the gateway and returns the answer whatever its status.
    func send(
        _ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> UpstreamResponse {
        try await client.execute(
            HTTPRequestSpec(method: method, url: url + path, headers: headers, body: body, timeout: timeout))
    }
}

extension UpstreamResponse {
    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `error` of a KServe v2 error body, or "".
    var errorMessage: String {
        (try? JSONDecoder().decode([String: String].self, from: body))?["error"] ?? ""
    }
}
