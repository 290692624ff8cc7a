import Hummingbird
import Synchronization

/// The request context of the gateway: Hummingbird's core storage, the authenticated principal,
/// and a record shared by every middleware of one request.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The principal, once authentication has run; nil on open routes.
    public var principal: Principal?
    /// What the inner layers learned, read by the outer ones after the response (one per request).
    public let exchange: ExchangeRecord

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
        exchange = ExchangeRecord()
    }
}

/// Facts about one request that inner middleware records for the access log, the metrics and the
/// response headers: the principal's name and the rate-limit headers.
///
/// A class because a context is a value: what an inner layer writes must reach the outer one.
public final class ExchangeRecord: Sendable {
    private struct State {
        var principal: String?
        var rateLimitHeaders: [(name: String, value: String)] = []
    }

    private let state = Mutex(State())

    init() {}

    /// The authenticated principal's name.
    public var principal: String? {
        get { state.withLock { $0.principal } }
        set { state.withLock { $0.principal = newValue } }
    }

    /// `RateLimit-*` (and `Retry-After`) headers of the request's rate-limit decision.
    public var rateLimitHeaders: [(name: String, value: String)] {
        get { state.withLock { $0.rateLimitHeaders } }
        set { state.withLock { $0.rateLimitHeaders = newValue } }
    }
}
