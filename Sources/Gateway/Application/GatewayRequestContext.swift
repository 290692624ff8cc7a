import Hummingbird
import Synchronization

/// The request context of the gateway: Hummingbird's core storage, the peer's address, the
/// authenticated principal, the model the path names, and a record shared by every middleware of
/// one request.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The IP address of the connection's peer, or `unknown`.
    public let peerAddress: String
    /// The principal, once authentication has run; nil on open routes.
    public var principal: Principal?
    /// The model the path names, percent-decoded and checked once (``ModelName``); nil on routes
    /// without a model.
    public var model: ModelName?
    /// What the inner layers learned, read by the outer ones after the response (one per request).
    public let exchange: ExchangeRecord

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
        principal = nil
        model = nil
        exchange = ExchangeRecord()
    }
}

/// Facts about one request that inner middleware records for the access log, the metrics and the
/// response headers: the principal's name, the model and the rate-limit headers.
///
/// A class because a context is a value: what an inner layer writes must reach the outer one.
public final class ExchangeRecord: Sendable {
    private struct State {
        var principal: String?
        var model: String?
        var rateLimitHeaders: [(name: String, value: String)] = []
    }

    private let state = Mutex(State())

    init() {}

    /// The authenticated principal's name.
    public var principal: String? {
        get { state.withLock { $0.principal } }
        set { state.withLock { $0.principal = newValue } }
    }

    /// The model the path names, decoded (see ``ModelName``).
    public var model: String? {
        get { state.withLock { $0.model } }
        set { state.withLock { $0.model = newValue } }
    }

    /// `RateLimit-*` (and `Retry-After`) headers of the request's rate-limit decision.
    public var rateLimitHeaders: [(name: String, value: String)] {
        get { state.withLock { $0.rateLimitHeaders } }
        set { state.withLock { $0.rateLimitHeaders = newValue } }
    }
}
