import Foundation
import InferenceProtocol

/// One item of a batch job as it travels on `inference.batch.requests` (key = the job id).
///
/// The value is a JSON object: `job_id`, `item_id`, `model`, optional `version`, `inputs` (KServe
/// v2 input tensors), and optional `outputs`, `parameters`, `output_prefix`, `job_total`,
/// `callback_url`, `owner` and `position`. `docs/batch.md` is the reference for external producers.
public struct BatchItemMessage: Sendable, Equatable {
    /// The job the item belongs to.
    public var jobID: UUID
    /// The item's id, unique within its job; it names the output object.
    public var itemID: String
    /// The model to run.
    public var model: String
    /// The model version, when pinned.
    public var version: String?
    /// The inference request: inputs, requested outputs and parameters.
    public var request: InferRequest
    /// Where the output goes in the bucket, when not the worker's default.
    public var outputPrefix: String?
    /// The number of items in the job, so a job first seen on Kafka can complete.
    public var jobTotal: Int?
    /// Where to post the completion notice of a job first seen on Kafka.
    public var callbackURL: String?
    /// The principal id owning a job first seen on Kafka; without it only an administrator sees
    /// the job.
    public var owner: String?
    /// The item's place in its job's input (0-based): the order of the job's `output.jsonl`.
    /// Items without one come after those with one, in item-id order.
    public var position: Int?

    /// Creates a message.
    public init(
        jobID: UUID, itemID: String, model: String, version: String? = nil, request: InferRequest,
        outputPrefix: String? = nil, jobTotal: Int? = nil, callbackURL: String? = nil, owner: String? = nil,
        position: Int? = nil
    ) {
        self.jobID = jobID
        self.itemID = itemID
        self.model = model
        self.version = version
        self.request = request
        self.outputPrefix = outputPrefix
        self.jobTotal = jobTotal
        self.callbackURL = callbackURL
        self.owner = owner
        self.position = position
    }

    /// The fields around the tensors, decoded on their own (the tensors go through the codec).
    struct Envelope: Codable {
        var jobID: String
        var itemID: String
        var model: String
        var version: String?
        var outputPrefix: String?
        var jobTotal: Int?
        var callbackURL: String?
        var owner: String?
        var position: Int?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case jobID = "job_id"
            case itemID = "item_id"
            case model
            case version
            case outputPrefix = "output_prefix"
            case jobTotal = "job_total"
            case callbackURL = "callback_url"
            case owner
            case position
        }
    }

    /// Reads a message value; throws ``BatchWorkerError`` (`malformedMessage` or `invalidItem`)
    /// with a reason fit for the dead-letter record.
    public static func decode(_ value: some Collection<UInt8>) throws(BatchWorkerError) -> BatchItemMessage {
        let data = Data(value)
        let message: BatchItemMessage
        if let read = decodeInOnePass(data) {
            message = read
        } else {
            message = try decodeInTwoPasses(data)
        }
        try message.validate()
        return message
    }

    /// The envelope's fields, read by the tensor codec in the same pass as the request.
    private static let envelopeFields: Set<String> = Set(Envelope.CodingKeys.allCases.map(\.rawValue))

    /// The message read in one pass, or `nil` when anything is amiss (the two-pass reader then
    /// names the problem).
    static func decodeInOnePass(_ data: Data) -> BatchItemMessage? {
        guard let (request, fields) = try? InferenceCodec.decodeRequest(data, capturing: envelopeFields),
            (try? request.validate()) != nil,
            let jobText = fields["job_id"]?.stringValue, let jobID = UUID(uuidString: jobText),
            let itemID = fields["item_id"]?.stringValue, let model = fields["model"]?.stringValue
        else { return nil }
        func text(_ key: Envelope.CodingKeys) -> (ok: Bool, value: String?) {
            guard let field = fields[key.rawValue] else { return (true, nil) }
            return (field.stringValue != nil, field.stringValue)
        }
        func integer(_ key: Envelope.CodingKeys) -> (ok: Bool, value: Int?) {
            guard let field = fields[key.rawValue] else { return (true, nil) }
            guard case .int(let value) = field, let exact = Int(exactly: value) else { return (false, nil) }
            return (true, exact)
        }
        let version = text(.version)
        let prefix = text(.outputPrefix)
        let callback = text(.callbackURL)
        let owner = text(.owner)
        let total = integer(.jobTotal)
        let position = integer(.position)
        guard version.ok, prefix.ok, callback.ok, owner.ok, total.ok, position.ok else { return nil }
        return BatchItemMessage(
            jobID: jobID, itemID: itemID, model: model, version: version.value, request: request,
            outputPrefix: prefix.value, jobTotal: total.value, callbackURL: callback.value, owner: owner.value,
            position: position.value)
    }

    private static func decodeInTwoPasses(_ data: Data) throws(BatchWorkerError) -> BatchItemMessage {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch {
            throw .malformedMessage("not a batch item: \(Self.describe(error))")
        }
        guard let jobID = UUID(uuidString: envelope.jobID) else {
            throw .malformedMessage("job_id is not a UUID")
        }
        return try Self.decodeTensors(data, envelope: envelope, jobID: jobID)
    }

    /// The envelope's job and item ids when they can be read, even if the rest cannot.
    public static func identity(of value: some Collection<UInt8>) -> (jobID: UUID, itemID: String, model: String?)? {
        guard let identity = try? JSONDecoder().decode(Identity.self, from: Data(value)),
            let jobID = UUID(uuidString: identity.jobID)
        else { return nil }
        return (jobID, identity.itemID, identity.model)
    }

    /// The fields that name an item, read from a message that may be broken otherwise.
    private struct Identity: Decodable {
        var jobID: String
        var itemID: String
        var model: String?

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case itemID = "item_id"
            case model
        }
    }

    private static func decodeTensors(_ data: Data, envelope: Envelope, jobID: UUID) throws(BatchWorkerError)
        -> BatchItemMessage
    {
        let request: InferRequest
        do {
            request = try InferenceCodec.decodeRequest(data, jsonHeaderLength: nil)
            try request.validate()
        } catch let error as InferenceProtocolError {
            throw .invalidItem(error.message)
        } catch {
            throw .invalidItem("the inputs cannot be read")
        }
        return BatchItemMessage(
            jobID: jobID, itemID: envelope.itemID, model: envelope.model, version: envelope.version,
            request: request, outputPrefix: envelope.outputPrefix, jobTotal: envelope.jobTotal,
            callbackURL: envelope.callbackURL, owner: envelope.owner, position: envelope.position)
    }

    /// Checks the fields the codec does not: ids, names, prefix, total, callback and owner.
    ///
    /// The one check for items from the API and from external producers alike; the reason names
    /// the field.
    public func validate() throws(BatchWorkerError) {
        if BatchFieldRules.containsControlCharacter(itemID) {
            throw .invalidItem("item_id contains a control character")
        }
        guard BatchNaming.isValidItemID(itemID) else {
            throw .invalidItem(
                "item_id must be 1 to \(BatchNaming.maxItemIDLength) characters of letters, digits, '.', '_', '-' "
                    + "or ':' and must not start with '.'")
        }
        guard itemID != BatchNaming.reservedItemID else {
            throw .invalidItem("item_id '\(BatchNaming.reservedItemID)' is reserved for the job's manifest")
        }
        guard !model.isEmpty, model.utf8.count <= 256 else { throw .invalidItem("model must be 1 to 256 bytes") }
        if let problem = BatchFieldRules.nameProblem(model, field: "model") { throw .invalidItem(problem) }
        if let version {
            guard !version.isEmpty, version.utf8.count <= 64 else {
                throw .invalidItem("version must be 1 to 64 bytes")
            }
            if let problem = BatchFieldRules.nameProblem(version, field: "version") { throw .invalidItem(problem) }
        }
        if let outputPrefix, !BatchNaming.isValidPrefix(outputPrefix) {
            throw .invalidItem("output_prefix must be a relative S3 key prefix without '..' segments")
        }
        if let jobTotal, jobTotal < 1 { throw .invalidItem("job_total must be positive") }
        if let position, position < 0 { throw .invalidItem("position must not be negative") }
        if let callbackURL, let problem = BatchFieldRules.callbackURLProblem(callbackURL) {
            throw .invalidItem(problem)
        }
        if let owner, let problem = BatchFieldRules.ownerProblem(owner) { throw .invalidItem(problem) }
        guard !request.inputs.isEmpty else { throw .invalidItem("inputs must not be empty") }
        for (index, input) in request.inputs.enumerated() {
            if let problem = BatchFieldRules.nameProblem(input.name, field: "inputs[\(index)].name") {
                throw .invalidItem(problem)
            }
        }
        for (index, output) in request.outputs.enumerated() {
            if let problem = BatchFieldRules.nameProblem(output.name, field: "outputs[\(index)].name") {
                throw .invalidItem(problem)
            }
        }
    }

    /// The message value: the envelope fields followed by the request's JSON fields.
    public func encoded() throws -> [UInt8] {
        let envelope = Envelope(
            jobID: jobID.uuidString.lowercased(), itemID: itemID, model: model, version: version,
            outputPrefix: outputPrefix, jobTotal: jobTotal, callbackURL: callbackURL, owner: owner, position: position)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var head = Array(try encoder.encode(envelope))
        var request = self.request
        request.id = nil
        let body = try InferenceCodec.encodeRequest(request, binaryInputs: false).body
        // Both are JSON objects: splice them into one (`{envelope…,request…}`).
        guard head.last == UInt8(ascii: "}"), body.first == UInt8(ascii: "{") else {
            throw BatchWorkerError.invalidItem("the item cannot be encoded")
        }
        head.removeLast()
        head.append(UInt8(ascii: ","))
        head.append(contentsOf: body.dropFirst())
        return head
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "field '\(key.stringValue)' is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        default: "the value is not a JSON object"
        }
    }
}
