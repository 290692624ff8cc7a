/// The KServe v2 error body: `{"error": "…"}`.
public struct InferenceErrorBody: Codable, Sendable, Hashable {
    /// The error text.
    public var error: String

    /// A body carrying `error`.
    public init(error: String) {
        self.error = error
    }
}
