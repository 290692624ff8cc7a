import Hummingbird
import InferenceProtocol

/// Requires a principal holding the route's scope (``AccessPolicy``) on every route but the open
/// ones: 401 without valid credentials, 403 with valid ones that lack the scope.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let authenticator: Authenticator

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let route = context.endpointPath, route != "NotFound",
            let scope = AccessPolicy.requiredScope(forRoute: route)
        else {
            return try await next(request, context)
        }
        let principal = try await authenticator.authenticate(request.headers, logger: context.logger)
        var context = context
        context.principal = principal
        context.exchange.principal = principal.name
        context.logger[metadataKey: GatewayLogKey.principal] = .string(principal.name)
        guard principal.allows(scope) else {
            throw InferenceError.forbidden(
                "this endpoint needs the '\(scope.rawValue)' scope, which the credentials do not grant")
        }
        return try await next(request, context)
    }
}
