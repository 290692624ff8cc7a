import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol

extension InferenceError: HTTPResponseError {
    /// The HTTP status this error maps to (the one place the mapping is made).
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: httpStatus) }

    /// A KServe v2 error body `{"error": "..."}`, with `Retry-After` for 429 and 503 when known
    /// and `WWW-Authenticate: Bearer` for 401.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if code == .unauthenticated { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter {
            headers[.retryAfter] = String(max(1, Int((Double(retryAfter.components.seconds)).rounded(.up))))
        }
        let body = (try? JSONEncoder().encode(InferenceErrorBody(error: message))) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
