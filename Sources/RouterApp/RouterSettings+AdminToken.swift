import Routing

extension RouterSettings {
    /// The admin token in force; nil when none is configured (the admin API then refuses
    /// everything). Throws, so the router does not start, for an unreadable token file or, outside
    /// the local stack, an example or short token.
    public func adminToken() throws -> AdminToken? {
        try AdminToken.load(value: adminTokenValue, file: adminTokenFile, platformEnvironment: platformEnvironment)
    }
}
