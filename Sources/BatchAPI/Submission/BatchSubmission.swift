import BatchProtocol
import Foundation
import InferenceProtocol

/// A batch job as a client submits it: a model, items of v2 input tensors, and an optional
/// callback.
public struct BatchSubmission: Sendable, Equatable {
    /// One item: its id (unique in the job) and its inference request.
    public struct Item: Sendable, Equatable {
        /// The item's id; it names the output object.
        public var id: String
        /// Its inputs (and optional requested outputs and parameters).
        public var request: InferRequest
        /// The model, when not the submission's (an OpenAI batch's lines name their own).
        public var model: String?
        /// The version, when the item names its own model.
        public var version: String?

        /// Creates an item.
        public init(id: String, request: InferRequest, model: String? = nil, version: String? = nil) {
            self.id = id
            self.request = request
            self.model = model
            self.version = version
        }
    }

    /// The model every item runs on.
    public var model: String
    /// The version, when pinned.
    public var version: String?
    /// The items, in order.
    public var items: [Item]
    /// Where the completion notice is posted.
    public var callbackURL: String?
    /// Where outputs go in the bucket, when not the worker's default.
    public var outputPrefix: String?
    /// How soon its items run relative to other jobs'.
    public var priority: BatchPriority
    /// How long the job may take (``BatchCompletionWindow``); `nil`: no deadline.
    public var completionWindow: Duration?

    /// Creates a submission.
    public init(
        model: String, version: String? = nil, items: [Item], callbackURL: String? = nil, outputPrefix: String? = nil,
        priority: BatchPriority = .normal, completionWindow: Duration? = nil
    ) {
        self.model = model
        self.version = version
        self.items = items
        self.callbackURL = callbackURL
        self.outputPrefix = outputPrefix
        self.priority = priority
        self.completionWindow = completionWindow
    }

    /// Parses `{"model", "version"?, "items": [{"id", "inputs": [...]}], "callback_url"?,
    /// "output_prefix"?, "priority"?, "completion_window"?}`.
    public static func parseJSON(_ body: Data) throws(BatchWorkerError) -> BatchSubmission {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw .invalidSubmission("the body must be a JSON object")
        }
        guard let model = object["model"] as? String else { throw .invalidSubmission("'model' is required") }
        guard let rawItems = object["items"] as? [Any] else {
            throw .invalidSubmission("'items' must be an array of {\"id\", \"inputs\"} objects")
        }
        var items: [Item] = []
        items.reserveCapacity(rawItems.count)
        for (index, raw) in rawItems.enumerated() {
            items.append(try parseItem(raw, label: "items[\(index)]"))
        }
        return BatchSubmission(
            model: model, version: try optionalString(object, "version"), items: items,
            callbackURL: try optionalString(object, "callback_url"),
            outputPrefix: try optionalString(object, "output_prefix"),
            priority: try optionalString(object, "priority").map(BatchPriority.parse) ?? .normal,
            completionWindow: try optionalString(object, "completion_window").map(BatchCompletionWindow.parse))
    }

    /// Parses JSON Lines: one `{"id", "inputs": [...]}` object per non-empty line.
    public static func parseJSONLines(
        _ body: Data, model: String, version: String?, callbackURL: String?
    ) throws(BatchWorkerError) -> BatchSubmission {
        var items: [Item] = []
        var lineNumber = 0
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }
            if trimmed.isEmpty || trimmed.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            guard let raw = try? JSONSerialization.jsonObject(with: Data(trimmed)) else {
                throw .invalidSubmission("line \(lineNumber) is not a JSON object")
            }
            items.append(try parseItem(raw, label: "line \(lineNumber)"))
        }
        return BatchSubmission(model: model, version: version, items: items, callbackURL: callbackURL)
    }

    /// Parses one JSON Lines item, `{"id", "inputs": [...]}`, read straight from its bytes with
    /// the tensor codec; `label` (e.g. `line 12`) starts every error message.
    public static func parseLine(_ line: [UInt8], label: String) throws(BatchWorkerError) -> Item {
        let data = Data(line)
        if var request = try? InferenceCodec.decodeRequest(data, jsonHeaderLength: nil), let id = request.id {
            request.id = nil
            return Item(id: id, request: try validRequest(label: label) { request })
        }
        // The slow path names the problem (and takes a numeric id).
        guard let raw = try? JSONSerialization.jsonObject(with: data) else {
            throw .invalidSubmission("\(label) is not a JSON object")
        }
        return try parseItem(raw, label: label)
    }

    private static func parseItem(_ raw: Any, label: String) throws(BatchWorkerError) -> Item {
        guard var object = raw as? [String: Any] else { throw .invalidSubmission("\(label) must be an object") }
        let id: String
        switch object["id"] {
        case let text as String: id = text
        case let number as Int: id = String(number)
        default: throw .invalidSubmission("\(label).id must be a string")
        }
        object["id"] = nil
        let request = try validRequest(label: label) {
            try InferenceCodec.decodeRequest(
                try JSONSerialization.data(withJSONObject: object), jsonHeaderLength: nil)
        }
        return Item(id: id, request: request)
    }

    /// The request `make` gives, validated; its errors become one `invalidSubmission` starting with `label`.
    private static func validRequest(
        label: String, _ make: () throws -> InferRequest
    ) throws(BatchWorkerError) -> InferRequest {
        do {
            let request = try make()
            try request.validate()
            _ = try BatchInputEncoding.decoded(request)
            return request
        } catch let error as InferenceProtocolError {
            throw .invalidSubmission("\(label): \(error.message)")
        } catch {
            throw .invalidSubmission("\(label) cannot be read")
        }
    }

    private static func optionalString(_ object: [String: Any], _ key: String) throws(BatchWorkerError) -> String? {
        switch object[key] {
        case nil, is NSNull: return nil
        case let text as String: return text
        default: throw .invalidSubmission("'\(key)' must be a string")
        }
    }
}
