import Foundation
import InferenceProtocol

extension TritonHTTPClient: KServeUpstream {
    /// Sends the request to this server. With a deadline, the time left travels on as
    /// `x-request-timeout-ms` (for a router or gateway) and, for `infer`, as Triton's `timeout`
    /// parameter in microseconds. With tracing on, the current span's context replaces the trace
    /// headers, so the server's spans (a router's, Triton's) join the trace under this call.
    public func forward(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        var headers = request.headers
        TraceContext.inject(into: &headers)
        var body = request.body
        if let deadline = request.deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            let milliseconds = max(
                1, Int64(left.components.seconds) * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            headers.removeAll { $0.name.isSameHeaderName(as: UpstreamRequest.timeoutHeader) }
            headers.append((name: UpstreamRequest.timeoutHeader, value: String(milliseconds)))
            if setsTritonTimeout, let original = body, request.isInference {
                let lengthIndex = headers.firstIndex {
                    $0.name.isSameHeaderName(as: Self.headerLengthField)
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
