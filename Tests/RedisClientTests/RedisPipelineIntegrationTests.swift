import RedisClient
import TestSupport
import Testing

/// The pipeline against the stack's real Redis (`REDIS_URL`). Where a test needs commands to be
/// queued before the I/O thread takes them, it occupies a one-connection client with a `BLPOP`
/// that only the test can end, so what is batched with what never depends on timing.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RedisPipelineIntegrationTests {
    @Test func fiveHundredConcurrentIncrementsCountExactlyAndEachCallerGetsItsOwnReply() async throws {
        try await withRedisClient(configuration: RedisTestServer.configuration(poolSize: 2)) { client in
            let counter = RedisTestServer.uniquePrefix("incr")
            let replies = try await withThrowingTaskGroup(of: RedisReply.self) { group in
                for _ in 0..<500 {
                    group.addTask { try await client.execute(["INCR", counter]) }
                }
                return try await group.reduce(into: [RedisReply]()) { $0.append($1) }
            }
            #expect(replies.count == 500)
            #expect(Set(replies.compactMap(\.intValue)) == Set(1...500))
            #expect(try await client.execute(["GET", counter]).intValue == 500)
            let statistics = client.pipelineStatistics
            #expect(statistics.commands == 501)
            #expect(statistics.batches <= statistics.commands)
            #expect(statistics.openConnections <= 2)
            _ = try await client.execute(["DEL", counter])
        }
    }

    @Test func commandsQueuedWhileTheConnectionIsBusyAreWrittenAsOneBatch() async throws {
        try await withRedisClient(configuration: RedisTestServer.singleConnection()) { client in
            let prefix = RedisTestServer.uniquePrefix("batch")
            let holder = try await RedisTestServer.hold(client, key: "\(prefix):hold")
            let counter = "\(prefix):counter"
            let increments = Task {
                try await withThrowingTaskGroup(of: Int64?.self) { group in
                    for _ in 0..<200 {
                        group.addTask { try await client.execute(["INCR", counter]).intValue }
                    }
                    return try await group.reduce(into: [Int64?]()) { $0.append($1) }
                }
            }
            try await eventually("200 INCRs wait behind the BLPOP") { client.pipelineStatistics.queued == 200 }
            try await RedisTestServer.release("\(prefix):hold")
            #expect(try await holder.value == RedisTestServer.released("\(prefix):hold"))
            let values = try await increments.value
            #expect(values.count == 200)
            #expect(Set(values.compactMap { $0 }) == Set(1...200))
            // The BLPOP was one batch; every INCR queued behind it went out in the next one.
            let statistics = client.pipelineStatistics
            #expect(statistics.commands == 201)
            #expect(statistics.batches == 2)
            #expect(statistics.batches < statistics.commands)
            _ = try await client.execute(["DEL", counter])
        }
    }

    @Test func aKilledConnectionFailsItsBatchAndTheNextCommandReconnects() async throws {
        try await withRedisClient(configuration: RedisTestServer.singleConnection()) { client in
            let prefix = RedisTestServer.uniquePrefix("kill")
            let firstID = try #require(try await client.execute(["CLIENT", "ID"]).intValue)
            let holder = try await RedisTestServer.hold(client, key: "\(prefix):hold")
            let queued = Task { try await client.execute(["INCR", "\(prefix):counter"]) }
            try await eventually("the INCR waits behind the BLPOP") { client.pipelineStatistics.queued == 1 }

            let killed = try await RedisTestServer.withAdministrator {
                try await $0.execute(["CLIENT", "KILL", "ID", String(firstID)])
            }
            #expect(killed == .integer(1))
            let error = try await #require(throws: RedisClientError.self) { try await holder.value }
            #expect(error.code == .ioError)
            // The queued INCR was not in the broken batch: it runs on a new connection.
            #expect(try await queued.value == .integer(1))
            let secondID = try #require(try await client.execute(["CLIENT", "ID"]).intValue)
            #expect(secondID != firstID)
            #expect(client.pipelineStatistics.openConnections == 1)
            _ = try await client.execute(["DEL", "\(prefix):counter"])
        }
    }

    @Test func shutdownFailsQueuedAndInFlightCommandsAndReturns() async throws {
        let client = RedisClient(configuration: try RedisTestServer.singleConnection())
        let key = RedisTestServer.uniquePrefix("shutdown")
        let holder = try await RedisTestServer.hold(client, key: key)
        let queued = (0..<5).map { _ in Task { try await client.execute(["PING"]) } }
        try await eventually("5 PINGs wait behind the BLPOP") { client.pipelineStatistics.queued == 5 }

        // The BLPOP never ends by itself and its read timeout outlasts the suite's time limit:
        // only the shutdown interrupting the connection lets this return.
        await client.shutdown()
        for task in queued {
            let error = try await #require(throws: RedisClientError.self) { try await task.value }
            #expect(error.code == .clientShutDown)
        }
        let error = try await #require(throws: RedisClientError.self) { try await holder.value }
        #expect(error.code == .clientShutDown)
        let statistics = client.pipelineStatistics
        #expect(statistics.queued == 0 && statistics.inFlight == 0 && statistics.openConnections == 0)
        #expect(statistics.commands == 1)
    }

    @Test func aFullQueueRefusesCommandsAtOnce() async throws {
        try await withRedisClient(configuration: RedisTestServer.singleConnection(maximumQueuedCommands: 3)) {
            client in
            let key = RedisTestServer.uniquePrefix("full")
            let holder = try await RedisTestServer.hold(client, key: key)
            let queued = (0..<3).map { _ in Task { try await client.execute(["PING"]) } }
            try await eventually("3 PINGs wait behind the BLPOP") { client.pipelineStatistics.queued == 3 }
            let error = try await #require(throws: RedisClientError.self) { try await client.execute(["PING"]) }
            #expect(error.code == .queueFull)
            #expect(error.isSafeToRetry)
            try await RedisTestServer.release(key)
            _ = try await holder.value
            for task in queued { #expect(try await task.value == .status("PONG")) }
        }
    }
}
