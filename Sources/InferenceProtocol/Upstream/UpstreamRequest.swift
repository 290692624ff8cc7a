import Foundation

/// A KServe v2 request on its way to an upstream, body untouched (JSON or binary tensors).
public struct UpstreamRequest: Sendable {
    /// HTTP method.
    public var method: String
    /// The KServe v2 path, e.g. `/v2/models/digits/versions/2/infer`.
    public var path: String
    /// The model the path names, when it names one.
    public var model: String?
    /// The version the path names (a pin), when it names one.
    public var version: String?
    /// What the model path asks for ("" metadata, "ready", "infer", "config", "stats"); nil
    /// when the path names no model. Parsed once, with `model` and `version`.
    public var action: String?
    /// Headers to pass on (content type, binary header length, trace context, request id).
    public var headers: [(name: String, value: String)]
    /// The request body as received.
    public var body: Data?
    /// When the caller stops waiting; nil means the upstream's default timeout.
    public var deadline: ContinuousClock.Instant?
    /// A key that keeps one caller on one canary version (`x-canary-key`).
    public var stickyKey: String?

    /// Creates a request; `model`/`version` are parsed from `path` with ``KServePath``.
    public init(
        method: String,
        path: String,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        deadline: ContinuousClock.Instant? = nil,
        stickyKey: String? = nil
    ) {
        self.method = method
        self.path = path
        let parsed = KServePath(path)
        self.model = parsed?.model
        self.version = parsed?.version
        self.action = parsed?.action
        self.headers = headers
        self.body = body
        self.deadline = deadline
        self.stickyKey = stickyKey
    }

    /// The header that carries the time left, in whole milliseconds, to a router or gateway.
    public static let timeoutHeader = "x-request-timeout-ms"

    /// Whether this is a model's `infer` call.
    public var isInference: Bool { action == "infer" }

    /// The same request for `version` of its model (the path rewritten to name it).
    public func forVersion(_ version: String?) -> UpstreamRequest {
        guard let model, let action, version != self.version else { return self }
        var routed = self
        routed.version = version
        routed.path = KServePath.modelPath(model, version: version) + (action.isEmpty ? "" : "/" + action)
        return routed
    }
}
