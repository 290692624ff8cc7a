import HTTPTypes
import InferenceProtocol
import KServeGRPC
import Logging
import RateLimiting

/// The gateway's admission of gRPC calls, the same policy as for HTTP: credentials from the
/// `x-api-key` or `authorization` metadata, the `infer` scope, the model name checked
/// (``ModelName``), and the principal's and the (principal, model) Redis limits. `ServerLive`
/// and `ServerReady` are open, like the HTTP health routes.
struct GatewayGRPCPolicy: GRPCCallPolicy {
    let authenticator: Authenticator
    let limiter: RateLimiter
    let settings: RateLimitSettings
    let logger: Logger

    func admit(_ call: GRPCCall) async throws -> String? {
        guard !call.isHealthProbe else { return nil }
        var headers = HTTPFields()
        if let key = call.value(Authenticator.apiKeyHeader.canonicalName) { headers[Authenticator.apiKeyHeader] = key }
        if let authorization = call.value("authorization") { headers[.authorization] = authorization }
        var logger = logger
        logger[metadataKey: "grpc.method"] = .string(call.method)
        let principal = try await authenticator.authenticate(
            headers, client: Self.clientAddress(peer: call.peer), logger: logger)
        guard principal.allows(.infer) else {
            throw InferenceError.forbidden(
                "this call needs the '\(Scope.infer.rawValue)' scope, which the credentials do not grant")
        }
        let model = try call.model.map { name throws(InferenceError) in try ModelName(decoded: name).value }
        let decision = try await RateLimitMiddleware.decide(
            limiter: limiter, settings: settings, principal: principal, model: model)
        guard decision.allowed else { throw RateLimitMiddleware.refusal(decision, principal: principal) }
        return principal.name
    }

    /// The address in a gRPC peer description (`ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`), which
    /// failed authentications are charged to.
    static func clientAddress(peer: String) -> String {
        if peer.hasPrefix("ipv4:"), let colon = peer.lastIndex(of: ":"),
            colon > peer.index(peer.startIndex, offsetBy: 4)
        {
            return String(peer[peer.index(peer.startIndex, offsetBy: 5)..<colon])
        }
        if peer.hasPrefix("ipv6:["), let end = peer.firstIndex(of: "]") {
            return String(peer[peer.index(peer.startIndex, offsetBy: 6)..<end])
        }
        return String(peer.prefix(64))
    }
}
