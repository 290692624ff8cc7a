import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import PlatformStore
import Routing

/// `/admin`: backends (health, breaker, load, latency) and routes (read and change), behind the
/// admin bearer token (``AdminAuthMiddleware``).
///
/// With shared routes, a change is stored as a new version (with `X-Changed-By`, or `admin`, as
/// its author) and served by every replica; `GET /admin/routes` names the version this replica
/// serves and `GET /admin/routes/{model}/history` lists a model's changes. Without, a change
/// applies to this replica only (version 0) until the routes file next changes.
struct AdminRoutes<Context: RequestContext>: Sendable {
    let router: ModelRouter
    /// The token every admin request must present; nil turns the admin API off.
    let token: AdminToken?
    /// Where route changes go when every replica shares them.
    let shared: SharedRoutes?

    /// The longest author name recorded with a change.
    static var maxAuthorLength: Int { 128 }

    func register(on app: Router<Context>) {
        let admin = app.group("admin").add(middleware: AdminAuthMiddleware<Context>(token: token))
        admin.get("backends") { _, _ in try Self.json(["backends": router.backendStatuses()]) }
        admin.get("routes") { _, _ in
            try Self.json(
                RoutesAnswer(
                    routes: router.routes(), version: router.sharedRoutesVersion, shared: shared != nil,
                    rollouts: router.rolloutStatuses()))
        }
        admin.get("routes/:model/history") { request, context in
            let model = try context.parameters.require("model")
            guard let shared else {
                throw InferenceError.notFound("route history needs shared routes (router.postgres.url is not set)")
            }
            let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 50, 1), 500)
            let changes: [RouteStore.Change]
            do {
                changes = try await shared.history(model: model, limit: limit)
            } catch {
                throw InferenceError.unavailable("the route store did not answer: \(error)", retryAfter: .seconds(1))
            }
            return try Self.json(["changes": changes.map(ChangeAnswer.init)])
        }
        admin.put("routes/:model") { request, context in
            let model = try context.parameters.require("model")
            let body = try await request.body.collect(upTo: 1 << 20)
            let update: RouteUpdate
            do {
                update = try JSONDecoder().decode(RouteUpdate.self, from: Data(body.readableBytesView))
            } catch {
                throw InferenceError.badRequest(
                    #"the body must be {"targets": [{"version", "weight"}], "strategy"?, "hedge"?, "canary"?, "shadow"?}: "#
                        + "\(error)")
            }
            guard update.model == nil || update.model == model else {
                throw InferenceError.badRequest(
                    "the body names model '\(update.model ?? "")' but the path names '\(model)'")
            }
            let route = ModelRoute(
                model: model, targets: update.targets, strategy: update.strategy ?? .roundRobin, hedge: update.hedge,
                canary: update.canary, shadow: update.shadow)
            do {
                try route.validate()
            } catch {
                throw InferenceError.badRequest("\(error)")
            }
            guard let shared else {
                try router.upsertRoute(route)
                return try Self.json(RouteAnswer(route: route, version: 0))
            }
            let author = try Self.author(request.headers[Self.changedBy])
            let version: Int64
            do {
                version = try await shared.save(route, changedBy: author)
            } catch {
                throw InferenceError.unavailable("the route change was not stored: \(error)", retryAfter: .seconds(1))
            }
            return try Self.json(RouteAnswer(route: route, version: version))
        }
    }

    static var changedBy: HTTPField.Name { HTTPField.Name("x-changed-by")! }

    /// The recorded author: the header's value, or `admin` when absent; 400 for one that is too
    /// long or holds control characters.
    static func author(_ header: String?) throws -> String {
        guard let header, !header.isEmpty else { return "admin" }
        guard header.count <= maxAuthorLength,
            !header.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw InferenceError.badRequest(
                "x-changed-by must be at most \(maxAuthorLength) characters without control characters")
        }
        return header
    }

    /// The body of `GET /admin/routes`.
    private struct RoutesAnswer: Encodable {
        var routes: [ModelRoute]
        /// The shared routes' version this replica serves (0: none).
        var version: Int64
        /// Whether route changes are shared by every replica.
        var shared: Bool
        /// Canary rollouts by model.
        var rollouts: [String: RolloutStatus]
    }

    /// The body of `PUT /admin/routes/{model}`'s answer.
    private struct RouteAnswer: Encodable {
        var route: ModelRoute
        var version: Int64
    }

    /// One change in `GET /admin/routes/{model}/history`.
    private struct ChangeAnswer: Encodable {
        var version: Int64
        var model: String
        var route: ModelRoute?
        var changedBy: String
        var changedAt: Date

        init(_ change: RouteStore.Change) {
            version = change.version
            model = change.model
            route = try? JSONDecoder().decode(ModelRoute.self, from: Data(change.route.utf8))
            changedBy = change.changedBy
            changedAt = change.changedAt
        }

        private enum CodingKeys: String, CodingKey {
            case version, model, route
            case changedBy = "changed_by"
            case changedAt = "changed_at"
        }
    }

    /// The body of `PUT /admin/routes/{model}`.
    private struct RouteUpdate: Decodable {
        var model: String?
        var targets: [RouteTarget]
        var strategy: BalancingStrategy?
        var hedge: HedgePolicy?
        var canary: CanaryPolicy?
        var shadow: ShadowPolicy?
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
