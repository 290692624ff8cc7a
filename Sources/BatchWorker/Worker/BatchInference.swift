import Foundation
import InferenceProtocol
import TritonClient

/// What the worker needs from the inference side: run a request, and describe a model.
///
/// ``RouterInference`` implements it over the router's (or one Triton's) KServe v2 HTTP API;
/// tests substitute their own.
public protocol BatchInference: Sendable {
    /// Runs `request` on `model`; throws the upstream's error for a non-2xx answer.
    func infer(_ request: InferRequest, model: String, version: String?) async throws -> InferResponse

    /// The model's metadata and the largest batch it accepts (0 when it does not batch).
    func describe(model: String, version: String?) async throws -> ModelDescription

    /// The health check that tells an outage from a bad item: true when the inference side is
    /// ready, and the model too when one is named. Never throws: an error is "not ready".
    func isReady(model: String?, version: String?) async -> Bool
}

/// A model as the worker plans batches for it.
public struct ModelDescription: Sendable, Hashable {
    /// Inputs and outputs, to check items before sending them.
    public var metadata: ModelMetadata
    /// `max_batch_size` from the model's configuration; 0 means no batching.
    public var maxBatchSize: Int

    /// Creates a description.
    public init(metadata: ModelMetadata, maxBatchSize: Int) {
        self.metadata = metadata
        self.maxBatchSize = maxBatchSize
    }
}

/// ``BatchInference`` over KServe v2 HTTP: the router (`ROUTER_URL`) or a single Triton.
///
/// Inputs travel as binary tensor data; `max_batch_size` comes from the model's configuration
/// (`GET /v2/models/{m}/config`).
public struct RouterInference: BatchInference {
    private let client: TritonHTTPClient
    private let timeout: Duration

    /// Creates a client for `baseURL` made by `connector`; each inference call may take `timeout`.
    public init(baseURL: String, connector: TritonConnector, timeout: Duration = .seconds(60)) {
        client = connector.client(baseURL: baseURL, defaultTimeout: timeout)
        self.timeout = timeout
    }

    public func infer(_ request: InferRequest, model: String, version: String?) async throws -> InferResponse {
        try await client.infer(request, model: model, version: version, deadline: nil, binaryInputs: true)
    }

    public func isReady(model: String?, version: String?) async -> Bool {
        let deadline = ContinuousClock.now + Self.probeTimeout
        guard (try? await client.serverReady(deadline: deadline)) == true else { return false }
        guard let model else { return true }
        return (try? await client.modelReady(model: model, version: version, deadline: deadline)) == true
    }

    /// How long a readiness check may take.
    static let probeTimeout = Duration.seconds(5)

    public func describe(model: String, version: String?) async throws -> ModelDescription {
        let metadata = try await client.modelMetadata(model: model, version: version)
        let config = try await client.modelConfig(model: model, version: version)
        let object = try JSONSerialization.jsonObject(with: config) as? [String: Any]
        let maxBatchSize = (object?["max_batch_size"] as? NSNumber)?.intValue ?? 0
        return ModelDescription(metadata: metadata, maxBatchSize: max(0, maxBatchSize))
    }
}
