import Foundation

/// An encoded KServe v2 body, ready to send.
public struct EncodedBody: Sendable, Equatable {
    /// The bytes: the JSON part, then any binary tensor data.
    public var body: Data
    /// The length of the JSON part when binary data follows it, nil when the body is only JSON.
    ///
    /// When set, send it as the `Inference-Header-Content-Length` header.
    public var jsonHeaderLength: Int?

    /// A body with the given parts.
    public init(body: Data, jsonHeaderLength: Int?) {
        self.body = body
        self.jsonHeaderLength = jsonHeaderLength
    }

    /// The `Content-Type` to send: `application/octet-stream` with binary data, `application/json` without.
    public var contentType: String {
        jsonHeaderLength == nil ? "application/json" : "application/octet-stream"
    }

    /// The JSON part of the body.
    public var json: Data {
        body.prefix(jsonHeaderLength ?? body.count)
    }
}
