import RedisClient
import TestSupport
import Testing

/// `SCRIPT FLUSH` against the stack's real Redis (`REDIS_URL`). A flush empties the whole
/// server's script cache, so the tests that flush share this serialized suite: one test's flush
/// cannot land between another's flush and its reload. Their scripts have sources of their own,
/// so no other test's `SCRIPT LOAD` makes one known again.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RedisScriptFlushTests {
    @Test func evalSHARecoversFromScriptFlush() async throws {
        try await withRedisClient(configuration: RedisTestServer.configuration()) { client in
            let script = RedisScript("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) * 2}")
            let loaded = try await client.execute(["SCRIPT", "LOAD", script.source])
            #expect(loaded.stringValue == script.sha1)

            _ = try await client.execute(["SCRIPT", "FLUSH"])
            #expect(try await client.execute(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
            let reply = try await client.evaluate(script, keys: ["k"], arguments: ["v", "21"])
            #expect(reply == .array([.bulkString(Array("k".utf8)), .bulkString(Array("v".utf8)), .integer(42)]))
            #expect(try await client.execute(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))

            let again = try await client.evaluate(script, keys: ["k2"], arguments: ["w", "1"])
            #expect(again.arrayValue?.last == .integer(2))

            let failing = RedisScript("return redis.error_reply('ERR scripted failure')")
            let error = try await #require(throws: RedisClientError.self) {
                try await client.evaluate(failing, keys: [], arguments: [])
            }
            #expect(error.code == .serverError)
            #expect(error.message.contains("scripted failure"))
        }
    }

    @Test func scriptsFlushedFromTheServerAreReloadedForAWholeBatch() async throws {
        try await withRedisClient(configuration: RedisTestServer.singleConnection()) { client in
            let prefix = RedisTestServer.uniquePrefix("noscript")
            // A source of its own, so no other test's SCRIPT LOAD can make this one known again.
            let script = RedisScript("-- \(prefix)\nreturn tonumber(ARGV[1]) * 2")
            #expect(try await client.evaluate(script, keys: [], arguments: ["1"]) == .integer(2))
            let holder = try await RedisTestServer.hold(client, key: "\(prefix):hold")
            try await RedisTestServer.withAdministrator { administrator in
                _ = try await administrator.execute(["SCRIPT", "FLUSH"])
                #expect(try await administrator.execute(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
            }
            let evaluations = Task {
                try await withThrowingTaskGroup(of: (Int, RedisReply).self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            (index, try await client.evaluate(script, keys: [], arguments: [String(index)]))
                        }
                    }
                    return try await group.reduce(into: [(Int, RedisReply)]()) { $0.append($1) }
                }
            }
            try await eventually("50 EVALSHAs wait behind the BLPOP") { client.pipelineStatistics.queued == 50 }
            try await RedisTestServer.release("\(prefix):hold")
            _ = try await holder.value
            let results = try await evaluations.value
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.1 == .integer(Int64($0.0) * 2) })
            #expect(try await client.execute(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
        }
    }
}
