import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeHTTP

/// Guards `/admin/...`: each request needs `Authorization: Bearer <router admin token>`.
///
/// Without a configured token the admin API refuses everything (403): it is off, not open.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: AdminToken?

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token else {
            throw InferenceError.forbidden(
                "the admin API is disabled: no admin token is configured (ROUTER_ADMIN_TOKEN or ROUTER_ADMIN_TOKEN_FILE)"
            )
        }
        guard let presented = Self.bearer(request.headers[.authorization]), token.matches(presented) else {
            throw InferenceError.unauthenticated("the admin API needs Authorization: Bearer <router admin token>")
        }
        return try await next(request, context)
    }

    /// The credentials of an `Authorization: Bearer …` header (scheme compared case-insensitively).
    static func bearer(_ header: String?) -> Substring? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let credentials = header.dropFirst(7).drop { $0 == " " }
        return credentials.isEmpty ? nil : credentials
    }
}
