import Foundation

/// The rules every batch item obeys, wherever it comes from (the API or an external producer):
/// names without control characters, a bounded owner, a callback URL that is a plain http(s) URL.
///
/// Each check returns the problem as text naming the field, or `nil` when the value is fine.
public enum BatchFieldRules {
    /// The longest `callback_url` accepted, in bytes.
    public static let maxCallbackURLLength = 2048

    /// The longest owner (a principal id) accepted, in bytes.
    public static let maxOwnerLength = 256

    /// The problem with a name (model, version, tensor name) in `field`, or `nil`.
    ///
    /// Refuses C0 and C1 control characters, NUL and DEL included: such a name can forge log
    /// lines and never names a real model or tensor.
    public static func nameProblem(_ value: String, field: String) -> String? {
        containsControlCharacter(value) ? "\(field) contains a control character" : nil
    }

    /// True when `value` has a C0 (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F) character.
    public static func containsControlCharacter(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    /// The problem with an owner, or `nil`: 1…256 bytes without control characters.
    public static func ownerProblem(_ owner: String) -> String? {
        guard !owner.isEmpty, owner.utf8.count <= maxOwnerLength else {
            return "owner must be 1 to \(maxOwnerLength) bytes"
        }
        return nameProblem(owner, field: "owner")
    }

    /// The problem with a callback URL, or `nil`.
    ///
    /// Accepts an absolute `http` or `https` URL with a host, no user name or password, at most
    /// ``maxCallbackURLLength`` bytes and no whitespace or control characters. Where it may point
    /// is decided when the callback is delivered, against the resolved address.
    public static func callbackURLProblem(_ value: String) -> String? {
        guard value.utf8.count <= maxCallbackURLLength else {
            return "callback_url must be at most \(maxCallbackURLLength) bytes"
        }
        guard !value.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            return "callback_url contains whitespace or a control character"
        }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return "callback_url must be an http or https URL" }
        guard let host = components.host, !host.isEmpty else { return "callback_url must name a host" }
        guard components.user == nil, components.password == nil, !authority(of: value).contains("@") else {
            return "callback_url must not carry a user name or password"
        }
        return nil
    }

    /// The text between `://` and the next `/`, `?` or `#`.
    private static func authority(of url: String) -> Substring {
        guard let start = url.range(of: "://")?.upperBound else { return "" }
        let rest = url[start...]
        return rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    }
}
