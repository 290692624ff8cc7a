import Foundation
import InferenceProtocol

/// A model name taken from a request path: percent-decoded exactly once, then checked, so every
/// spelling of one model (`digits`, `%64igits`) is the same name for rate limits, metrics and
/// validation, and anything that is not a model name is refused with 400 before it is used.
///
/// A valid name is 1 to 128 characters of `A–Z a–z 0–9 _ . -`, starting with a letter, digit or
/// `_` (the names Triton model repositories use in practice). A `%` left after decoding (a
/// double-encoded name), a `/`, a space or any other character makes the name invalid.
public struct ModelName: Sendable, Hashable, CustomStringConvertible {
    /// The longest name accepted, in characters.
    public static let maximumLength = 128

    /// The decoded name.
    public let value: String

    /// Decodes and checks the raw path segment `segment`.
    ///
    /// - Throws: `badRequest` naming the problem (the segment is quoted, shortened and escaped).
    public init(pathSegment segment: String) throws(InferenceError) {
        guard let decoded = PercentDecoding.decode(segment) else {
            throw .badRequest("the model name '\(Self.quoted(segment))' has an invalid percent-encoding")
        }
        try self.init(decoded: decoded)
    }

    /// Checks a name that is not percent-encoded (a gRPC field).
    ///
    /// - Throws: `badRequest` naming the problem.
    public init(decoded: String) throws(InferenceError) {
        guard Self.isValid(decoded) else {
            throw .badRequest(
                "'\(Self.quoted(decoded))' is not a valid model name: use 1 to \(Self.maximumLength) characters "
                    + "of letters, digits, '_', '.' and '-', starting with a letter, digit or '_'")
        }
        value = decoded
    }

    /// Whether `name` (already decoded) is a valid model name.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, bytes.count <= maximumLength, isAlphanumeric(first) || first == UInt8(ascii: "_")
        else { return false }
        return bytes.allSatisfy { byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }

    public var description: String { value }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// At most 64 characters of `text`, with control and non-ASCII characters escaped, for an
    /// error message.
    private static func quoted(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(64) {
            result +=
                scalar.isASCII && scalar.value >= 0x20 && scalar.value != 0x7f
                ? String(scalar) : scalar.escaped(asASCII: true)
        }
        return text.unicodeScalars.count > 64 ? result + "…" : result
    }
}
