import Foundation
import InferenceProtocol
import TritonClient

/// The gateway's upstream: checks every inference request against the model's metadata before
/// it leaves, and applies the overload contract to what comes back.
///
/// A request that passes goes on with its body untouched (JSON or binary tensors). A failure is
/// a `badRequest` naming the tensor or the place in the JSON, or `notFound` for an unknown model.
public struct ValidatingUpstream: KServeUpstream {
    private let base: any KServeUpstream
    private let metadata: ModelMetadataCache

    /// Validates against `metadata` and forwards to `base`.
    public init(base: any KServeUpstream, metadata: ModelMetadataCache) {
        self.base = base
        self.metadata = metadata
    }

    public func forward(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        if request.method == "POST", let model = request.model, request.isInference {
            try await validate(request, model: model)
        }
        do {
            return UpstreamErrors.overloadAware(try await base.forward(request))
        } catch {
            throw UpstreamErrors.map(error)
        }
    }

    private func validate(_ request: UpstreamRequest, model: String) async throws {
        let body = request.body ?? Data()
        let jsonLength = try InferenceHeaderLength.parse(headers: request.headers, bodyCount: body.count)
        let decoded: InferRequest
        do {
            decoded = try InferenceCodec.decodeRequest(body, jsonHeaderLength: jsonLength)
        } catch let error as InferenceProtocolError {
            throw InferenceError(error)
        }
        let modelMetadata = try await metadata.metadata(model: model, version: request.version)
        do {
            try decoded.validate(against: modelMetadata)
        } catch let error as InferenceProtocolError {
            throw InferenceError(error)
        }
    }
}
