import Foundation
import InferenceProtocol

extension ServerMetadata {
    /// What the router answers at `GET /v2`: its own name and version, and only the protocol
    /// extensions it serves end to end over any backend.
    ///
    /// - `binary_tensor_data`, `classification`, `parameters`: request and response bodies pass
    ///   through unchanged, so Triton applies them on whichever backend serves the request.
    /// - `model_configuration`: `GET /v2/models/{m}[/versions/{v}]/config` is routed like metadata.
    ///
    /// Not announced: `statistics` (one backend's counts, not the fleet's), `model_repository`
    /// (only the index is passed on; load and unload are not served), `sequence` (no backend
    /// affinity per sequence id), shared memory (a client's memory regions live on one server),
    /// `trace` and `logging` (not routed).
    public static let router = ServerMetadata(
        name: "triton-router", version: "0.1.0",
        extensions: ["binary_tensor_data", "classification", "model_configuration", "parameters"])
}
