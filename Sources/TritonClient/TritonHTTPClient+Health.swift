import InferenceProtocol
import CurlHTTP
import Foundation

extension TritonHTTPClient {
    /// Whether the server process is live (`GET /v2/health/live` answers 200).
    public func serverLive(deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        try await send(method: "GET", path: "/v2/health/live", deadline: deadline).status == 200
    }

    /// Whether the server is ready for inference (`GET /v2/health/ready` answers 200).
    public func serverReady() async throws -> Bool {
        try await serverReady(deadline: nil)
    }

    /// Whether the server is ready, bounded by `deadline`.
    public func serverReady(deadline: ContinuousClock.Instant?) async throws -> Bool {
        try await send(method: "GET", path: "/v2/health/ready", deadline: deadline).status == 200
    }

    /// Whether a model (version) is loaded and ready.
    public func modelReady(model: String, version: String?) async throws -> Bool {
        try await modelReady(model: model, version: version, deadline: nil)
    }

    /// Whether a model (version) is ready, bounded by `deadline`.
    public func modelReady(model: String, version: String?, deadline: ContinuousClock.Instant?) async throws -> Bool {
        let path = KServePath.modelPath(model, version: version) + "/ready"
        return try await send(method: "GET", path: path, deadline: deadline).status == 200
    }
}
