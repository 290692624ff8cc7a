/// The one parser of the binary tensor extension's `Inference-Header-Content-Length` header.
///
/// Every service that reads the header (gateway, router, anything forwarding a body) parses it
/// here, against the body it came with, so a value that would cut the body at an impossible
/// place is refused as a client error before any code slices bytes with it.
public enum InferenceHeaderLength {
    /// The header's name.
    public static let field = "Inference-Header-Content-Length"

    /// The most digits accepted: more could not fit any body a service would read.
    static let maximumDigits = 18

    /// The JSON part's length; nil when the header is absent.
    ///
    /// Throws `badRequest` naming the header for anything but ASCII digits (surrounding spaces
    /// aside) whose value lies in `0...bodyCount`.
    public static func parse(_ value: String?, bodyCount: Int) throws(InferenceError) -> Int? {
        guard let value else { return nil }
        let digits = value.utf8.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }
        guard !digits.isEmpty, digits.count <= maximumDigits,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            throw .badRequest(
                "header \(field) must be a whole number of bytes from 0 to the body's length (\(bodyCount)), "
                    + "got '\(String(decoding: value.utf8.prefix(32), as: UTF8.self))'")
        }
        let length = digits.reversed().reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard length <= bodyCount else {
            throw .badRequest("header \(field) is \(length) but the body has only \(bodyCount) bytes")
        }
        return length
    }

    /// The header's value among `headers` (name compared case-insensitively), parsed as ``parse(_:bodyCount:)``.
    public static func parse(headers: [(name: String, value: String)], bodyCount: Int) throws(InferenceError) -> Int? {
        let value = headers.first { $0.name.lowercased() == "inference-header-content-length" }?.value
        return try parse(value, bodyCount: bodyCount)
    }
}
