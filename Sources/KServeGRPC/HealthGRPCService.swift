import GRPCCore
import InferenceProtocol

/// The standard gRPC health protocol (`grpc.health.v1.Health`) for probes: SERVING when the
/// upstream answers `GET /v2/health/ready` with 200, NOT_SERVING otherwise.
///
/// It knows the overall service ("") and `inference.GRPCInferenceService`; any other name is
/// NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch), as the protocol says. Watch sends the status, then
/// each change, checking every `watchInterval`, until the client goes away.
public struct HealthGRPCService: Grpc_Health_V1_Health.ServiceProtocol {
    private let upstream: any KServeUpstream
    private let watchInterval: Duration

    /// Reports the readiness of `upstream`.
    public init(upstream: any KServeUpstream, watchInterval: Duration = .seconds(1)) {
        self.upstream = upstream
        self.watchInterval = watchInterval
    }

    static let knownServices: Set<String> = ["", "inference.GRPCInferenceService"]

    public func check(
        request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>, context: ServerContext
    ) async throws -> ServerResponse<Grpc_Health_V1_HealthCheckResponse> {
        guard Self.knownServices.contains(request.message.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.message.service.prefix(64))'")
        }
        let status = await currentStatus()
        return ServerResponse(message: .with { $0.status = status })
    }

    public func watch(
        request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Health_V1_HealthCheckResponse> {
        let known = Self.knownServices.contains(request.message.service)
        return StreamingServerResponse { writer in
            guard known else {
                try await writer.write(.with { $0.status = .serviceUnknown })
                return [:]
            }
            var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
            while !Task.isCancelled {
                let status = await currentStatus()
                if status != last {
                    try await writer.write(.with { $0.status = status })
                    last = status
                }
                try await Task.sleep(for: watchInterval)
            }
            return [:]
        }
    }

    private func currentStatus() async -> Grpc_Health_V1_HealthCheckResponse.ServingStatus {
        let probe = UpstreamRequest(method: "GET", path: "/v2/health/ready", deadline: .now + .seconds(2))
        guard let answer = try? await upstream.forward(probe) else { return .notServing }
        return answer.status == 200 ? .serving : .notServing
    }
}
