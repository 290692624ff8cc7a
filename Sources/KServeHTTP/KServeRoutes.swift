import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import TritonClient

/// The KServe v2 HTTP surface (the same paths as Triton) over any ``KServeUpstream``.
///
/// Bodies pass through untouched — JSON or binary tensors — so a stock `tritonclient` cannot
/// tell the difference from a Triton server.
public struct KServeRoutes<Context: RequestContext>: Sendable {
    private let upstream: any KServeUpstream
    private let maxBodyBytes: Int

    /// Routes to `upstream`; request bodies above `maxBodyBytes` get 413.
    public init(upstream: any KServeUpstream, maxBodyBytes: Int = 64 << 20) {
        self.upstream = upstream
        self.maxBodyBytes = maxBodyBytes
    }

    /// Registers every KServe v2 route on `router`.
    public func register(on router: Router<Context>) {
        router.get("/v2/health/live") { request, context in try await forward(request, context) }
        router.get("/v2/health/ready") { request, context in try await forward(request, context) }
        router.get("/v2") { request, context in try await forward(request, context) }
        router.post("/v2/repository/index") { request, context in
            let upstreamRequest = try await Self.upstreamRequest(
                from: request, context: context, maxBodyBytes: maxBodyBytes)
            try RepositoryIndexRequest.check(upstreamRequest.body)
            return Self.response(from: try await upstream.forward(upstreamRequest))
        }
        router.get("/v2/models/stats") { request, context in try await forward(request, context) }
        for prefix in ["/v2/models/:model", "/v2/models/:model/versions/:version"] {
            router.get(RouterPath(prefix)) { request, context in try await forward(request, context) }
            for action in ["ready", "config", "stats"] {
                router.get(RouterPath(prefix + "/" + action)) { request, context in try await forward(request, context)
                }
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in try await forward(request, context) }
        }
    }

    /// Forwards one request and turns the upstream's answer into the response.
    public func forward(_ request: Request, _ context: Context) async throws -> Response {
        let upstreamRequest = try await Self.upstreamRequest(
            from: request, context: context, maxBodyBytes: maxBodyBytes)
        return Self.response(from: try await upstream.forward(upstreamRequest))
    }

    /// Reads the path, the headers to pass on, the deadline and the body of a request.
    public static func upstreamRequest(from request: Request, context: Context, maxBodyBytes: Int) async throws
        -> UpstreamRequest
    {
        let deadline = try KServeHeaders.deadline(from: request.headers, now: .now)
        var headers: [(name: String, value: String)] = []
        for name in KServeHeaders.forwarded {
            if let value = request.headers[name] { headers.append((name: name.rawName, value: value)) }
        }
        var body: Data?
        if request.method == .post || request.method == .put {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            body = Data(buffer.readableBytesView)
        }
        // Checked here, once, so no layer below ever cuts a body at a length a client made up.
        _ = try InferenceHeaderLength.parse(
            request.headers[KServeHeaders.inferenceHeaderLength], bodyCount: body?.count ?? 0)
        var upstreamRequest = UpstreamRequest(
            method: request.method.rawValue, path: request.uri.string, headers: headers, body: body,
            deadline: deadline, stickyKey: request.headers[KServeHeaders.canaryKey])
        if upstreamRequest.model != nil, upstreamRequest.version == nil,
            let pinned = request.headers[KServeHeaders.modelVersion], !pinned.isEmpty
        {
            upstreamRequest.version = pinned
        }
        return upstreamRequest
    }

    /// The client's response for an upstream answer: status, protocol headers and body as received.
    public static func response(from answer: UpstreamResponse) -> Response {
        var headers = HTTPFields()
        for name in KServeHeaders.returned {
            if let value = answer.header(name.rawName) { headers[name] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
