/// Anything that answers KServe v2 inference: one Triton backend, the router over many, or a router
/// reached over HTTP. The gateway and the batch worker see only this.
///
/// Implementations throw `InferenceError` for failures a client must hear about.
public protocol InferenceService: Sendable {
    /// Runs `request` on `model` (a specific `version`, or the server's choice when nil), giving up at
    /// `deadline` when one is set.
    func infer(
        _ request: InferRequest, model: String, version: String?, deadline: ContinuousClock.Instant?
    ) async throws -> InferResponse

    /// The model's metadata (inputs, outputs, versions, platform).
    func modelMetadata(model: String, version: String?) async throws -> ModelMetadata

    /// Whether the model (version) is ready to serve.
    func modelReady(model: String, version: String?) async throws -> Bool

    /// Whether the server (or, for a router, at least one backend) is ready.
    func serverReady() async throws -> Bool
}
