import Foundation

/// The model and version named by a KServe v2 model path (`/v2/models/{m}[/versions/{v}][/...]`).
public struct KServePath: Sendable, Equatable {
    /// The model name, percent-decoded (the raw segment when its encoding is malformed).
    public var model: String
    /// The version, when the path has `/versions/{v}`.
    public var version: String?
    /// What follows: "" (metadata), "ready", "infer", "config", "stats".
    public var action: String

    /// Parses `path` (query string ignored); nil when it is not a model path.
    public init?(_ path: String) {
        var pathOnly = path[...]
        if let query = path.utf8.firstIndex(of: UInt8(ascii: "?")) { pathOnly = path[..<query] }
        let parts = pathOnly.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
        guard parts.count >= 3, parts[0] == "v2", parts[1] == "models", parts[2] != "stats" else { return nil }
        model = PercentDecoding.decode(parts[2]) ?? String(parts[2])
        var rest = parts[3...]
        if rest.first == "versions", rest.count >= 2 {
            let raw = rest[rest.startIndex + 1]
            version = PercentDecoding.decode(raw) ?? String(raw)
            rest = rest.dropFirst(2)
        } else {
            version = nil
        }
        switch rest.count {
        case 0: action = ""
        case 1: action = String(rest[rest.startIndex])
        default: action = rest.joined(separator: "/")
        }
    }

    /// The path prefix of a model, with its version when one is given, each percent-encoded.
    public static func modelPath(_ model: String, version: String?) -> String {
        var path = "/v2/models/" + percentEncoded(model)
        if let version, !version.isEmpty { path += "/versions/" + percentEncoded(version) }
        return path
    }

    private static func percentEncoded(_ segment: String) -> String {
        // Model names and versions are almost always plain: skip Foundation's encoder for them.
        let plain = segment.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
        if plain { return segment }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove("/")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}
