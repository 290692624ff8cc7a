import Hummingbird

/// On routes whose path names a model, decodes and checks the name once (``ModelName``), puts it
/// in the context for the layers after it (rate limits, classify) and in the exchange record
/// (metrics, access log); refuses an invalid name with 400.
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
        return try await next(request, context)
    }
}
