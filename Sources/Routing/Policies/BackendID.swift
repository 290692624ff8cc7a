/// A stable name for one Triton backend (for example `triton-a:8000`).
///
/// Identities are compared by their text, so the same backend keeps its breaker, health and
/// balancing state across configuration reloads as long as its name is unchanged.
public struct BackendID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The backend's name as written in configuration.
    public let rawValue: String

    /// Creates an identity from its configured name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates an identity from its configured name.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates an identity from a literal name, e.g. `"triton-a:8000"`.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The backend's name.
    public var description: String { rawValue }

    /// Orders by name; balancers use this order for rotation and tie-breaks.
    public static func < (lhs: BackendID, rhs: BackendID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
