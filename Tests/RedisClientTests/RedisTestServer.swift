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

extension RedisTestServer {
    /// A client with one connection and a command timeout longer than any test runs, so a command
    /// blocked on the server ends only when the test releases it (or the client is shut down).
    static func singleConnection(maximumQueuedCommands: Int = 10_000) throws -> RedisConfiguration {
        var configuration = try configuration(poolSize: 1)
        configuration.maximumQueuedCommands = maximumQueuedCommands
        configuration.commandTimeout = .seconds(600)
        return configuration
    }

    /// Occupies the only connection of `client` with `BLPOP key 0` and returns once its I/O thread
    /// has taken it: every command sent after it waits in the queue until ``release(_:)``.
    static func hold(_ client: RedisClient, key: String) async throws -> Task<RedisReply, any Error> {
        let holder = Task { try await client.execute(["BLPOP", key, "0"]) }
        try await eventually("the I/O thread has taken the BLPOP") { client.pipelineStatistics.inFlight == 1 }
        return holder
    }

    /// Ends a ``hold(_:key:)`` by pushing to its key from a separate client.
    static func release(_ key: String) async throws {
        try await withAdministrator { _ = try await $0.execute(["RPUSH", key, "released"]) }
    }

    /// Runs `body` with a separate client, for commands the client under test cannot send
    /// while its connection is held.
    static func withAdministrator<Value>(_ body: (RedisClient) async throws -> Value) async throws -> Value {
        try await withRedisClient(configuration: configuration(poolSize: 1), body)
    }

    /// What a released ``hold(_:key:)`` returns.
    static func released(_ key: String) -> RedisReply {
        .array([.bulkString(Array(key.utf8)), .bulkString(Array("released".utf8))])
    }
}
