import RateLimiting

/// Who made a request, as proven by a JWT or an API key, and what it may do.
public struct Principal: Sendable, Hashable {
    /// How the principal proved who it is.
    public enum Method: String, Sendable, Hashable {
        /// A bearer JWT.
        case jwt
        /// An `x-api-key`.
        case apiKey = "api_key"
    }

    /// The principal's name: a JWT's `sub`, or an API key's principal.
    public let name: String
    /// How it authenticated.
    public let method: Method
    /// What it may do.
    public let scopes: Set<Scope>
    /// Its own rate limit (an API key's), or nil for the configured default.
    public let rateLimit: RateLimitPolicy?

    /// Creates a principal.
    public init(name: String, method: Method, scopes: Set<Scope>, rateLimit: RateLimitPolicy? = nil) {
        self.name = name
        self.method = method
        self.scopes = scopes
        self.rateLimit = rateLimit
    }

    /// The identity rate limits are kept under: `jwt:{sub}` or `key:{principal}`, so a token
    /// subject can never spend an API key principal's quota or the reverse.
    public var rateLimitIdentity: String {
        (method == .jwt ? "jwt:" : "key:") + name
    }

    /// Whether the principal holds `scope` (or `admin`).
    public func allows(_ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains(.admin)
    }
}
