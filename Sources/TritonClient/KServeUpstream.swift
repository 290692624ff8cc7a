import CurlHTTP
import Foundation
import InferenceProtocol

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

    /// Whether this is a model's `infer` call.
    public var isInference: Bool { action == "infer" }

    /// The same request for `version` of its model (the path rewritten to name it).
    public func forVersion(_ version: String?) -> UpstreamRequest {
        guard let model, let action, version != self.version else { return self }
        var routed = self
        routed.version = version
        routed.path = TritonHTTPClient.modelPath(model, version: version) + (action.isEmpty ? "" : "/" + action)
        return routed
    }
}

/// Anything that answers KServe v2 requests: one Triton, the router, or the router over HTTP.
///
/// Responses come back whatever their status (a Triton 400 is an answer, not an error); thrown
/// errors are for when there is no answer at all.
public protocol KServeUpstream: Sendable {
    /// Forwards one request and returns the upstream's answer.
    func forward(_ request: UpstreamRequest) async throws -> HTTPResponseData
}

extension TritonHTTPClient: KServeUpstream {
    /// Sends the request to this server. With a deadline, the time left travels on as
    /// `x-request-timeout-ms` (for a router or gateway) and, for `infer`, as Triton's `timeout`
    /// parameter in microseconds.
    public func forward(_ request: UpstreamRequest) async throws -> HTTPResponseData {
        var headers = request.headers
        var body = request.body
        if let deadline = request.deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            let milliseconds = max(
                1, Int64(left.components.seconds) * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            headers.removeAll { $0.name.caseInsensitiveCompare("x-request-timeout-ms") == .orderedSame }
            headers.append((name: "x-request-timeout-ms", value: String(milliseconds)))
            if setsTritonTimeout, let original = body, request.isInference {
                let lengthIndex = headers.firstIndex {
                    $0.name.caseInsensitiveCompare(Self.headerLengthField) == .orderedSame
                }
                let length = try InferenceHeaderLength.parse(
                    lengthIndex.map { headers[$0].value }, bodyCount: original.count)
                let (injected, newLength) = TimeoutParameter.inject(
                    into: original, headerLength: length, microseconds: milliseconds * 1000)
                body = injected
                if let lengthIndex, let newLength {
                    headers[lengthIndex] = (name: Self.headerLengthField, value: String(newLength))
                }
            }
        }
        return try await send(
            method: request.method, path: request.path, headers: headers, body: body, deadline: request.deadline)
    }
}
