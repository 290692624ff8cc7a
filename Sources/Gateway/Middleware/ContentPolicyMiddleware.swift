import HTTPTypes
import Hummingbird
import InferenceProtocol
import UploadFormats

/// Refuses bodies the routes cannot read before any byte is read: 413 when `Content-Length`
/// exceeds the route's limit, 415 for a content encoding no route reads, and 415 for a content
/// type on the routes whose format depends on it.
///
/// KServe v2 inference takes any content type, as Triton does: the body is JSON, or a JSON
/// header followed by binary tensors when `Inference-Header-Content-Length` says so, whatever
/// the type claims (so `curl -d`, which sends `application/x-www-form-urlencoded`, works).
/// Classify takes an image (`image/*`, `application/octet-stream`, no type) or
/// `multipart/form-data`; batch submission JSON or JSON Lines.
struct ContentPolicyMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let maxBodyBytes: Int
    let maxImageBytes: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post || request.method == .put, let route = context.endpointPath else {
            return try await next(request, context)
        }
        let isClassify = route.hasSuffix("/classify")
        let isBatch = route.hasPrefix("/v1/batches")
        let limit = isClassify ? maxImageBytes : maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw HTTPError(
                .contentTooLarge, message: "the request body is \(length) bytes; the limit is \(limit) bytes")
        }
        if let encoding = request.headers[.contentEncoding]?.lowercased(), encoding != "identity" {
            throw HTTPError(
                .unsupportedMediaType,
                message: "Content-Encoding \(encoding.prefix(32)) is not accepted; send the body uncompressed")
        }
        guard isClassify || isBatch else { return try await next(request, context) }
        let mediaType = request.headers[.contentType].map { MediaType.essence(of: $0) }
        let accepted =
            isClassify
            ? Self.acceptsImage(mediaType)
            : Self.acceptsJSON(mediaType) || Self.acceptsJSONLines(mediaType)
        guard accepted else {
            let expected =
                isClassify
                ? "an image (image/png, image/jpeg, application/octet-stream) or multipart/form-data"
                : "application/json, or JSON Lines (application/x-ndjson, application/jsonl)"
            throw HTTPError(
                .unsupportedMediaType,
                message: "Content-Type \(mediaType?.prefix(64) ?? "") is not accepted here; send \(expected)")
        }
        return try await next(request, context)
    }

    /// A JSON batch body (or no type).
    static func acceptsJSON(_ mediaType: String?) -> Bool {
        guard let mediaType, !mediaType.isEmpty else { return true }
        return mediaType == "application/json"
    }

    /// JSON Lines uploads of batch items.
    static func acceptsJSONLines(_ mediaType: String?) -> Bool {
        ["application/x-ndjson", "application/jsonl", "application/json-seq"].contains(mediaType ?? "")
    }

    static func acceptsImage(_ mediaType: String?) -> Bool {
        guard let mediaType, !mediaType.isEmpty else { return true }
        return mediaType.hasPrefix("image/") || mediaType == "application/octet-stream"
            || mediaType == "multipart/form-data"
    }
}
