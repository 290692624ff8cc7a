import Foundation
import RedisClient
import TestSupport

/// The stack's Redis and an address where none answers.
enum RateLimitTestServer {
    static func configuration(poolSize: Int = 4) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: StackEnvironment.current.require("REDIS_URL"))
        configuration.poolSize = poolSize
        return configuration
    }

    /// A principal name unique to one test run.
    static func principal(_ name: String) -> String { "test-\(name)-\(UUID().uuidString.prefix(8))" }
}
