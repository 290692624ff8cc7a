import Foundation

/// An upstream's complete HTTP answer, whatever its status (Triton, the router, S3, a callback
/// target); the transport that carried it does not show.
public struct UpstreamResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response headers as received (the last response's, after any `100 Continue`).
    public var headers: [(name: String, value: String)]
    /// The whole response body.
    public var body: Data

    /// Creates a response value.
    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.isSameHeaderName(as: name) }?.value
    }

    /// The `error` string of a KServe v2 error body, or the start of the body, or the status.
    public var errorText: String {
        if let answer = try? JSONDecoder().decode(InferenceErrorBody.self, from: body) { return answer.error }
        let text = String(decoding: body.prefix(512), as: UTF8.self)
        return text.isEmpty ? "HTTP status \(status)" : text
    }
}
