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

    /// A loopback port that nothing listens on: bound to find a free one, then closed.
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A key prefix unique to one test, so runs never see each other's data.
    static func uniquePrefix(_ name: String) -> String {
        "test:redisclient:\(name):\(UUID().uuidString.prefix(8))"
    }
}
