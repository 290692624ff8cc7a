/// One line of a finished job's `errors.jsonl`: `{"item_id", "position", "error": {"code", "message"}}`.
public struct BatchErrorLine: Codable, Equatable, Sendable {
    /// The failure: a short code (as in the dead-letter record) and a message.
    public struct Failure: Codable, Equatable, Sendable {
        public var code: String
        public var message: String
    }

    /// The item's id.
    public var itemID: String
    /// Its place in the job's input, when known.
    public var position: Int?
    /// Why it has no output.
    public var error: Failure

    /// Creates a line.
    public init(itemID: String, position: Int?, code: String, message: String) {
        self.itemID = itemID
        self.position = position
        self.error = Failure(code: code, message: message)
    }

    enum CodingKeys: String, CodingKey {
        case itemID = "item_id"
        case position, error
    }
}
