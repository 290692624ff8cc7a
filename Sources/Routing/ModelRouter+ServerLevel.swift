import Foundation
import InferenceProtocol
import TritonClient

extension ModelRouter {
    /// Requests that name no model: health and server metadata are the router's own; the rest
    /// (repository index, all-model statistics) goes to any healthy backend.
    func forwardServerLevel(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        switch path {
        case "/v2/health/live":
            return UpstreamResponse(status: 200, headers: [], body: Data())
        case "/v2/health/ready":
            let ready = withState { $0.hasHealthyBackend() }
            return UpstreamResponse(status: ready ? 200 : 503, headers: [], body: Data())
        case "/v2", "/v2/":
            let body = try JSONEncoder().encode(ServerMetadata.router)
            return UpstreamResponse(
                status: 200, headers: [(name: "Content-Type", value: "application/json")], body: body)
        default:
            return try await forwardToAnyBackend(request)
        }
    }

    /// Tries backends in health order until one answers (server metadata, repository index).
    func forwardToAnyBackend(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let order = withState { state in
            state.backends.map(\.id).sorted { lhs, rhs in
                (state.health.status(of: lhs) == .unhealthy ? 1 : 0)
                    < (state.health.status(of: rhs) == .unhealthy ? 1 : 0)
            }
        }
        var failures: [String] = []
        for backend in order {
            guard let client = client(for: backend) else { continue }
            do {
                return try await client.forward(request)
            } catch let error as UpstreamError where error.isSafeToRetry {
                failures.append("\(backend): \(error.message)")
            }
        }
        throw InferenceError.unavailable("no backend answered: \(failures.joined(separator: "; "))")
    }
}
