/// A client pinned a version that the model's route does not serve; maps to 404 Not Found.
public struct UnroutedVersionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The model requested.
    public let model: String
    /// The version requested.
    public let version: String
    /// The versions the route does serve, in route order.
    public let routedVersions: [String]

    /// A sentence naming the model, the version asked for and the versions routed.
    public var description: String {
        let served = routedVersions.map { "\"\($0)\"" }.joined(separator: ", ")
        return "model \"\(model)\": version \"\(version)\" is not routed; routed versions: \(served)"
    }
}
