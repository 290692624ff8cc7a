import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol

extension InferenceError: HTTPResponseError {
    /// The HTTP status this error maps to (the one place the mapping is made).
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    /// The client's answer for this error; see ``httpResponse()``.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        httpResponse()
    }

    /// A KServe v2 error body `{"error": "..."}` with this error's status, `Retry-After` (whole
    /// seconds, rounded up) for 429 and 503 when known, and `WWW-Authenticate: Bearer` for 401.
    /// Every surface (router, gateway, batch API) answers errors through this one function.
    public func httpResponse() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if code == .unauthenticated { headers[.wwwAuthenticate] = #"Bearer realm="inference""# }
        if let retryAfter = retryAfterHeaderValue { headers[.retryAfter] = retryAfter }
        let body = (try? JSONEncoder().encode(InferenceErrorBody(error: message))) ?? Data(#"{"error":"error"}"#.utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
