import Hummingbird

/// On routes whose path names a model, decodes and checks the name once (``ModelName``), puts it
/// in the context for the layers after it (rate limits, classify) and in the exchange record
/// (metrics, access log), and forwards the request with the decoded spelling; refuses an
/// invalid name with 400.
struct ModelNameMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let segment = context.parameters.get("model") else { return try await next(request, context) }
        let model = try ModelName(pathSegment: segment)
        var context = context
        context.model = model
        context.exchange.model = model.value
        guard segment != model.value else { return try await next(request, context) }
        // Forward the canonical spelling: a valid name needs no escaping, and the upstream then
        // sees the same name the limits were charged to.
        var head = request.head
        head.path = Self.replacingModelSegment(in: head.path ?? "", segment: segment, with: model.value)
        return try await next(Request(head: head, body: request.body), context)
    }

    /// `path` with the path segment after `models/` that equals `segment` replaced by `name`.
    static func replacingModelSegment(in path: String, segment: String, with name: String) -> String {
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var components = parts[0].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for index in components.indices.dropFirst() where components[index - 1] == "models" {
            if components[index] == segment { components[index] = name }
            break
        }
        let rebuilt = components.joined(separator: "/")
        return parts.count == 2 ? rebuilt + "?" + parts[1] : rebuilt
    }
}
