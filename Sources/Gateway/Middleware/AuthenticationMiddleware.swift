import HTTPTypes
import Hummingbird
import InferenceProtocol

/// Requires a principal holding the route's scope (``AccessPolicy``) on every route but the open
/// ones: 401 without valid credentials, 403 with valid ones that lack the scope, 429 once the
/// client's address has failed to authenticate too often.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let authenticator: Authenticator
    /// A header naming the client's address, set by a trusted proxy in front (its last
    /// comma-separated value counts); nil uses the connection's peer address.
    let clientAddressHeader: HTTPField.Name?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let route = context.endpointPath, route != "NotFound",
            let scope = AccessPolicy.requiredScope(forRoute: route)
        else {
            return try await next(request, context)
        }
        let principal = try await authenticator.authenticate(
            request.headers, client: clientAddress(request, context: context), logger: context.logger)
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

    /// The address failed authentications are charged to: the last value of
    /// ``clientAddressHeader`` (at most 64 characters) when configured and present, else the peer.
    func clientAddress(_ request: Request, context: Context) -> String {
        guard let clientAddressHeader, let value = request.headers[clientAddressHeader],
            let last = value.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        else { return context.peerAddress }
        return String(last.prefix(64))
    }
}
