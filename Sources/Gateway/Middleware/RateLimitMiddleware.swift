import Hummingbird
import InferenceProtocol
import RateLimiting
import Tracing

/// Charges every authenticated request to its principal's limit and, on routes naming a model, to
/// the (principal, model) limit keyed by the decoded name (``ModelName``), in one atomic Redis
/// call; records the `RateLimit-*` headers for
/// the answer and refuses with 429 and `Retry-After` when either limit is spent.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let limiter: RateLimiter
    let settings: RateLimitSettings

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let principal = context.principal else { return try await next(request, context) }
        let model = context.model?.value
        let decision = try await Self.decide(limiter: limiter, settings: settings, principal: principal, model: model)
        context.exchange.rateLimitHeaders = decision.headerFields
        guard decision.allowed else { throw Self.refusal(decision, principal: principal) }
        return try await next(request, context)
    }

    /// Charges one request of `principal` (and of `model`, when it has a limit) in one Redis call;
    /// a `gateway.rate_limit` span when tracing is on.
    static func decide(
        limiter: RateLimiter, settings: RateLimitSettings, principal: Principal, model: String?
    ) async throws -> RateLimitDecision {
        let check = {
            try await limiter.check(
                principal: principal.rateLimitIdentity, policy: principal.rateLimit ?? settings.principal,
                model: model, modelPolicy: model == nil ? nil : settings.model)
        }
        guard TraceContext.isEnabled else { return try await check() }
        return try await withSpan("gateway.rate_limit") { span in
            let decision = try await check()
            span.attributes[SpanKeys.principal] = principal.name
            span.attributes["rate_limit.allowed"] = decision.allowed
            return decision
        }
    }

    /// The error a refused decision gives the client (HTTP 429, gRPC RESOURCE_EXHAUSTED).
    static func refusal(_ decision: RateLimitDecision, principal: Principal) -> InferenceError {
        .rateLimited(
            message: decision.enforced
                ? "rate limit exceeded for '\(principal.name)'; retry later"
                : "rate limiting is unavailable and this gateway fails closed; retry later",
            retryAfter: max(decision.retryAfter, .seconds(1)))
    }
}
