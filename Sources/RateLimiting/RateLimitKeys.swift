/// Redis key names for rate-limit state: `{prefix}:{principal}` and
/// `{prefix}:{principal}:{model}`, for example `rl:{alice}` and `rl:{alice}:{resnet50}`.
///
/// The braces are a Redis Cluster hash tag: both keys of a principal land in the same slot, so
/// one script call may touch both. `%`, `{` and `}` inside a name are percent-escaped, so no
/// principal or model name can produce another one's key.
public struct RateLimitKeys: Sendable, Hashable {
    /// The first segment of every key; default `rl`.
    public let prefix: String

    /// Creates the naming scheme with `prefix`.
    public init(prefix: String = "rl") {
        self.prefix = prefix
    }

    /// The key of a principal's overall limit.
    public func principalKey(_ principal: String) -> String {
        "\(prefix):{\(Self.escaped(principal))}"
    }

    /// The key of a principal's limit for one model.
    public func modelKey(principal: String, model: String) -> String {
        "\(principalKey(principal)):{\(Self.escaped(model))}"
    }

    static func escaped(_ name: String) -> String {
        guard name.contains(where: { $0 == "%" || $0 == "{" || $0 == "}" }) else { return name }
        var result = ""
        for character in name {
            switch character {
            case "%": result += "%25"
            case "{": result += "%7B"
            case "}": result += "%7D"
            default: result.append(character)
            }
        }
        return result
    }
}
