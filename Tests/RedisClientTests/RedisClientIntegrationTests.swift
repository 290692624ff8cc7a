import Foundation
import Logging
import RedisClient
import TestSupport
import Testing

/// Commands against the stack's real Redis (`REDIS_URL`).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RedisClientIntegrationTests {
    @Test func setGetIncrExpireRoundTripWithBinaryValues() async throws {
        try await withRedisClient(configuration: RedisTestServer.configuration()) { client in
            let prefix = RedisTestServer.uniquePrefix("roundtrip")
            let binaryKey = Array("\(prefix):bin".utf8) + [0x00, 0xFF, 0x0D, 0x0A]
            let binaryValue: [UInt8] = [0x00, 0x01, 0xFE, 0xFF, 0x0D, 0x0A, 0x24, 0x2A, 0x00]

            #expect(try await client.execute([Array("SET".utf8), binaryKey, binaryValue]) == .status("OK"))
            #expect(try await client.execute([Array("GET".utf8), binaryKey]) == .bulkString(binaryValue))
            #expect(try await client.execute([Array("STRLEN".utf8), binaryKey]) == .integer(9))

            let empty = "\(prefix):empty"
            #expect(try await client.execute(["SET", empty, ""]) == .status("OK"))
            #expect(try await client.execute(["GET", empty]) == .bulkString([]))
            #expect(try await client.execute(["GET", "\(prefix):missing"]) == .null)

            let counter = "\(prefix):counter"
            #expect(try await client.execute(["INCR", counter]) == .integer(1))
            #expect(try await client.execute(["INCRBY", counter, "41"]) == .integer(42))
            #expect(try await client.execute(["GET", counter]).intValue == 42)
            #expect(try await client.execute(["EXPIRE", counter, "100"]) == .integer(1))
            let ttl = try await client.execute(["TTL", counter]).intValue ?? -1
            #expect((1...100).contains(ttl))

            let list = "\(prefix):list"
            _ = try await client.execute(["RPUSH", list, "a", "b"])
            #expect(
                try await client.execute(["LRANGE", list, "0", "-1"]) == .array([.bulkString([97]), .bulkString([98])]))

            let deleted = try await client.execute(
                [Array("DEL".utf8), binaryKey] + [empty, counter, list].map { Array($0.utf8) })
            #expect(deleted == .integer(4))
        }
    }

    @Test func errorReplyIsThrownAsServerErrorWithoutArguments() async throws {
        try await withRedisClient(configuration: RedisTestServer.configuration()) { client in
            let prefix = RedisTestServer.uniquePrefix("wrongtype")
            _ = try await client.execute(["SET", prefix, "text"])
            let error = try await #require(throws: RedisClientError.self) {
                try await client.execute(["INCR", prefix])
            }
            #expect(error.code == .serverError)
            #expect(error.serverErrorPrefix == "ERR")
            let unknown = try await #require(throws: RedisClientError.self) {
                try await client.execute(["NOSUCHCOMMAND", "user-data-that-must-not-leak"])
            }
            #expect(unknown.code == .serverError)
            #expect(!unknown.description.contains("user-data-that-must-not-leak"))
            _ = try await client.execute(["DEL", prefix])
        }
    }

    @Test func twoHundredConcurrentCommandsOverFourConnections() async throws {
        try await withRedisClient(configuration: RedisTestServer.configuration(poolSize: 4)) { client in
            let prefix = RedisTestServer.uniquePrefix("concurrent")
            let counter = "\(prefix):counter"
            let results = try await withThrowingTaskGroup(of: (Int, RedisReply, Int64?).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let key = "\(prefix):\(index)"
                        _ = try await client.execute(["SET", key, "value-\(index)"])
                        let value = try await client.execute(["GET", key])
                        let count = try await client.execute(["INCR", counter]).intValue
                        return (index, value, count)
                    }
                }
                return try await group.reduce(into: [(Int, RedisReply, Int64?)]()) { $0.append($1) }
            }
            #expect(results.count == 200)
            for (index, value, _) in results {
                #expect(value.stringValue == "value-\(index)")
            }
            #expect(Set(results.compactMap(\.2)) == Set(1...200))
            let statistics = client.pipelineStatistics
            #expect(statistics.openConnections <= 4)
            #expect(statistics.queued == 0 && statistics.inFlight == 0)
            _ = try await client.execute(["DEL", counter] + (0..<200).map { "\(prefix):\($0)" })
        }
    }

    @Test func deadServerFailsQuicklyWithConnectionFailed() async throws {
        // Timeouts far longer than the bound below: a client that waited for one instead of
        // failing on the refused connection could not pass.
        var configuration = RedisConfiguration(port: try LoopbackPort.unused(), poolSize: 2)
        configuration.connectTimeout = .seconds(60)
        configuration.commandTimeout = .seconds(60)
        try await withRedisClient(configuration: configuration) { client in
            let start = ContinuousClock.now
            let errors = await withTaskGroup(of: RedisClientError?.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            _ = try await client.execute(["PING"])
                            return nil
                        } catch {
                            return error as? RedisClientError
                        }
                    }
                }
                return await group.reduce(into: [RedisClientError?]()) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - start
            #expect(errors.count == 10)
            #expect(errors.allSatisfy { $0?.code == .connectionFailed })
            #expect(elapsed < .seconds(20), "took \(elapsed): a timeout was waited for")
            #expect(client.pipelineStatistics.openConnections == 0)
        }
    }

    @Test func silentServerGivesTimeoutAndHungConnectionIsReplaced() async throws {
        let silent = try SilentTCPServer()
        var configuration = RedisConfiguration(port: silent.port, poolSize: 1)
        configuration.commandTimeout = .milliseconds(200)
        try await withRedisClient(configuration: configuration) { client in
            // The timeout error itself shows the deadline fired; a hang ends at the suite's time limit.
            let error = try await #require(throws: RedisClientError.self) { try await client.execute(["PING"]) }
            #expect(error.code == .timeout)
            #expect(client.pipelineStatistics.openConnections == 0)
        }

        var real = try RedisTestServer.configuration(poolSize: 1)
        real.commandTimeout = .seconds(2)
        try await withRedisClient(configuration: real) { client in
            let key = RedisTestServer.uniquePrefix("blocked")
            // The server would block for 60 s: only the client's 2 s timeout can end the call.
            let error = try await #require(throws: RedisClientError.self) {
                try await client.execute(["BLPOP", key, "60"])
            }
            #expect(error.code == .timeout)
            #expect(try await client.execute(["PING"]) == .status("PONG"))
            #expect(client.pipelineStatistics.openConnections == 1)
        }
    }

    @Test func cancelledCommandLeavesTheQueueAtOnce() async throws {
        try await withRedisClient(configuration: RedisTestServer.singleConnection()) { client in
            let key = RedisTestServer.uniquePrefix("hold")
            // The holder keeps the only connection busy until the test pushes to `key`.
            let holder = try await RedisTestServer.hold(client, key: key)
            let waiter = Task { try await client.execute(["PING"]) }
            try await eventually("the PING is queued") { client.pipelineStatistics.queued == 1 }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(client.pipelineStatistics.queued == 0)
            // The holder still blocks, so the PING left without waiting for the connection.
            #expect(client.pipelineStatistics.inFlight == 1)
            try await RedisTestServer.release(key)
            #expect(try await holder.value == RedisTestServer.released(key))
            #expect(try await client.execute(["PING"]) == .status("PONG"))
            // The cancelled PING was never written: the holder's batch and this PING's are all.
            #expect(client.pipelineStatistics.commands == 2)
        }
    }

    @Test func shutDownClientRefusesCommands() async throws {
        let client = RedisClient(configuration: try RedisTestServer.configuration())
        #expect(try await client.execute(["PING"]) == .status("PONG"))
        await client.shutdown()
        let error = try await #require(throws: RedisClientError.self) { try await client.execute(["PING"]) }
        #expect(error.code == .clientShutDown)
        await client.shutdown()
    }

    @Test func runReturnsOnCancellationAndClosesTheClient() async throws {
        let client = RedisClient(configuration: try RedisTestServer.configuration())
        let runner = Task { await client.run() }
        #expect(try await client.execute(["PING"]) == .status("PONG"))
        runner.cancel()
        await runner.value
        let error = try await #require(throws: RedisClientError.self) { try await client.execute(["PING"]) }
        #expect(error.code == .clientShutDown)
    }
}
