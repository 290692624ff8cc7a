import Foundation
import RedisClient
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The stack's Redis, and addresses where no Redis answers, for the integration suites.
enum RedisTestServer {
    /// The configuration for `REDIS_URL`; fails the test with a clear message when it is not set.
    static func configuration(poolSize: Int = 4) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: StackEnvironment.current.require("REDIS_URL"))
        configuration.poolSize = poolSize
        return configuration
    }

    /// A key prefix unique to one test, so runs never see each other's data.
    static func uniquePrefix(_ name: String) -> String {
        "test:redisclient:\(name):\(UUID().uuidString.prefix(8))"
    }
}
