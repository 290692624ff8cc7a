import Foundation
import InferenceProtocol

/// What one gRPC call carries to the upstream: its deadline (`grpc-timeout`), the metadata that
/// passes through (request id, trace context, canary key) and the version pin.
struct UpstreamCall: Sendable {
    let upstream: any KServeUpstream
    let metadata: [(name: String, value: String)]

    /// Metadata passed on as HTTP headers of the same name.
    static let forwarded = [RequestID.name, "traceparent", "tracestate", "x-canary-key"]

    /// Sends one KServe v2 request and returns the answer whatever its status.
    func send(
        _ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil
    ) async throws -> UpstreamResponse {
        var headers = headers
        for name in Self.forwarded {
            if let value = metadata.first(where: { $0.name == name })?.value {
                headers.append((name: name, value: value))
            }
        }
        let timeout = GRPCTimeout.duration(metadata.first { $0.name == "grpc-timeout" }?.value)
        let request = UpstreamRequest(
            method: method, path: path, headers: headers, body: body,
            deadline: timeout.map { ContinuousClock.now + $0 },
            stickyKey: metadata.first { $0.name == "x-canary-key" }?.value)
        return try await upstream.forward(request)
    }
}
