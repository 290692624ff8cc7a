/// A KServe v2 message that cannot be decoded, encoded or accepted.
///
/// The `description` is one sentence naming the tensor or the place in the body, fit for the body of an
/// HTTP 400 answer; it never contains tensor data beyond a short excerpt of a malformed value.
public struct InferenceProtocolError: Error, Sendable, Hashable {
    /// What kind of problem it is; compare with the static constants.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case malformedJSON
            case invalidField
            case unknownDatatype
            case invalidTensor
            case binarySizeMismatch
            case validationFailed
            case notRepresentableInJSON
            case datatypeMismatch
            case malformedClassification
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The body is not valid JSON.
        public static let malformedJSON = Code(.malformedJSON)
        /// A field is missing or has the wrong JSON type.
        public static let invalidField = Code(.invalidField)
        /// A tensor names a datatype the protocol does not define.
        public static let unknownDatatype = Code(.unknownDatatype)
        /// A tensor's shape and data do not agree, or its data is malformed.
        public static let invalidTensor = Code(.invalidTensor)
        /// The binary part of a body does not match the sizes the JSON header declares.
        public static let binarySizeMismatch = Code(.binarySizeMismatch)
        /// A well-formed request breaks a rule (duplicate names, model metadata mismatch, …).
        public static let validationFailed = Code(.validationFailed)
        /// A value (NaN, infinity, non-UTF-8 bytes) cannot be written as JSON; send it as binary data.
        public static let notRepresentableInJSON = Code(.notRepresentableInJSON)
        /// A tensor was read as a Swift type that does not match its datatype.
        public static let datatypeMismatch = Code(.datatypeMismatch)
        /// A classification string is not `score:index[:label]`.
        public static let malformedClassification = Code(.malformedClassification)

        /// A short label-safe name, e.g. `malformed_json`.
        public var name: String {
            switch base {
            case .malformedJSON: "malformed_json"
            case .invalidField: "invalid_field"
            case .unknownDatatype: "unknown_datatype"
            case .invalidTensor: "invalid_tensor"
            case .binarySizeMismatch: "binary_size_mismatch"
            case .validationFailed: "validation_failed"
            case .notRepresentableInJSON: "not_representable_in_json"
            case .datatypeMismatch: "datatype_mismatch"
            case .malformedClassification: "malformed_classification"
            }
        }

        /// The same as `name`.
        public var description: String { name }
    }

    /// The kind of problem.
    public let code: Code
    /// The sentence describing it.
    public let message: String
    /// The byte offset in the body where a JSON problem was found, when known.
    public let byteOffset: Int?

    /// An error of kind `code`; `message` must read well as an HTTP 400 body.
    public init(_ code: Code, _ message: String, byteOffset: Int? = nil) {
        self.code = code
        self.message = message
        self.byteOffset = byteOffset
    }

    /// A short label-safe name of the kind, for metrics.
    public var name: String { code.name }
}

extension InferenceProtocolError: CustomStringConvertible {
    /// The message.
    public var description: String { message }
}

extension InferenceProtocolError {
    static func malformedJSON(_ reason: String, at offset: Int, in path: String) -> Self {
        let place = path.isEmpty ? "" : " (in \(path))"
        return Self(.malformedJSON, "malformed JSON at byte \(offset)\(place): \(reason)", byteOffset: offset)
    }

    static func invalidField(_ path: String, _ requirement: String, at offset: Int? = nil) -> Self {
        let place = offset.map { " (byte \($0))" } ?? ""
        let subject = path.isEmpty ? "the body" : "field '\(path)'"
        return Self(.invalidField, "\(subject) \(requirement)\(place)", byteOffset: offset)
    }

    static func invalidTensor(_ tensor: String, _ problem: String) -> Self {
        Self(.invalidTensor, "\(tensor): \(problem)")
    }

    static func validation(_ message: String) -> Self {
        Self(.validationFailed, message)
    }
}

extension InferenceError {
    /// A `badRequest` carrying the protocol error's message.
    public init(_ error: InferenceProtocolError) {
        self = .badRequest(error.message)
    }
}
