import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import Routing

/// `/admin`: backends (health, breaker, load, latency) and routes (read and change), behind the
/// admin bearer token (``AdminAuthMiddleware``).
struct AdminRoutes<Context: RequestContext>: Sendable {
    let router: ModelRouter
    /// The token every admin request must present; nil turns the admin API off.
    let token: AdminToken?

    func register(on app: Router<Context>) {
        let admin = app.group("admin").add(middleware: AdminAuthMiddleware<Context>(token: token))
        admin.get("backends") { _, _ in try Self.json(["backends": router.backendStatuses()]) }
        admin.get("routes") { _, _ in try Self.json(["routes": router.routes()]) }
        admin.put("routes/:model") { request, context in
            let model = try context.parameters.require("model")
            let body = try await request.body.collect(upTo: 1 << 20)
            let update: RouteUpdate
            do {
                update = try JSONDecoder().decode(RouteUpdate.self, from: Data(body.readableBytesView))
            } catch {
                throw InferenceError.badRequest(
                    "the body must be {\"targets\": [{\"version\", \"weight\"}], \"strategy\"?}: \(error)")
            }
            guard update.model == nil || update.model == model else {
                throw InferenceError.badRequest(
                    "the body names model '\(update.model ?? "")' but the path names '\(model)'")
            }
            let route = ModelRoute(model: model, targets: update.targets, strategy: update.strategy ?? .roundRobin)
            do {
                try router.upsertRoute(route)
            } catch {
                throw InferenceError.badRequest("\(error)")
            }
            return try Self.json(["route": route])
        }
    }

    /// The body of `PUT /admin/routes/{model}`.
    private struct RouteUpdate: Decodable {
        var model: String?
        var targets: [RouteTarget]
        var strategy: BalancingStrategy?
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
