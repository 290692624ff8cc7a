import HTTPTypes
import Hummingbird
import InferenceProtocol
import UploadFormats

/// Refuses bodies the routes cannot read before any byte is read: 413 when `Content-Length`
/// exceeds the route's limit, 415 for a content type or content encoding it does not take.
///
/// KServe v2 inference takes JSON or binary tensors (`application/json`,
/// `application/octet-stream`, or no type, as `tritonclient` sends); classify takes an image
/// (`image/*`, `application/octet-stream`, no type) or `multipart/form-data`.
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
        let mediaType = request.headers[.contentType].map { MediaType.essence(of: $0) }
        let accepted =
            isClassify
            ? Self.acceptsImage(mediaType)
            : Self.acceptsInference(mediaType) || (isBatch && Self.acceptsJSONLines(mediaType))
        guard accepted else {
            let expected =
                isClassify
                ? "an image (image/png, image/jpeg, application/octet-stream) or multipart/form-data"
                : isBatch
                    ? "application/json, or JSON Lines (application/x-ndjson, application/jsonl)"
                    : "application/json or application/octet-stream (binary tensors)"
            throw HTTPError(
                .unsupportedMediaType,
                message: "Content-Type \(mediaType?.prefix(64) ?? "") is not accepted here; send \(expected)")
        }
        return try await next(request, context)
    }

    static func acceptsInference(_ mediaType: String?) -> Bool {
        guard let mediaType, !mediaType.isEmpty else { return true }
        return mediaType == "application/json" || mediaType == "application/octet-stream"
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
