/// Anything that answers KServe v2 requests: one Triton, the router, or the router over HTTP.
///
/// Responses come back whatever their status (a Triton 400 is an answer, not an error); thrown
/// errors are for when there is no answer at all.
public protocol KServeUpstream: Sendable {
    /// Forwards one request and returns the upstream's answer.
    func forward(_ request: UpstreamRequest) async throws -> UpstreamResponse
}
