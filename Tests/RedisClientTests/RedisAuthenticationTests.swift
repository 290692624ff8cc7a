import Foundation
import RedisClient
import Testing

/// Login and database selection against the stack's real Redis, with a throwaway ACL user.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct RedisAuthenticationTests {
    @Test func wrongPasswordFailsWithoutLeakingIt() async throws {
        let base = try RedisTestServer.configuration()
        let user = "gateway-test-\(UUID().uuidString.prefix(8))"
        let goodPassword = "good-\(UUID().uuidString)"
        let wrongPassword = "wrong-\(UUID().uuidString)"
        try await withRedisClient(configuration: base) { admin in
            _ = try await admin.execute(["ACL", "SETUSER", user, "on", ">\(goodPassword)", "~*", "+@all"])

            var wrong = base
            wrong.username = user
            wrong.password = wrongPassword
            try await withRedisClient(configuration: wrong) { client in
                let error = try await #require(throws: RedisClientError.self) { try await client.execute(["PING"]) }
                #expect(error.code == .connectionFailed)
                #expect(error.description.contains("WRONGPASS"))
                #expect(!error.description.contains(wrongPassword))
                #expect(!"\(error)".contains(wrongPassword))
                #expect(!String(reflecting: error).contains(wrongPassword))
            }

            // A password sent to the default user (which has none) is refused too.
            var defaultUser = base
            defaultUser.password = wrongPassword
            try await withRedisClient(configuration: defaultUser) { client in
                let error = try await #require(throws: RedisClientError.self) { try await client.execute(["PING"]) }
                #expect(error.code == .connectionFailed)
                #expect(!error.description.contains(wrongPassword))
            }

            var good = base
            good.username = user
            good.password = goodPassword
            try await withRedisClient(configuration: good) { client in
                let whoami = try await client.execute(["ACL", "WHOAMI"])
                #expect(whoami.stringValue == user)
            }
            _ = try await admin.execute(["ACL", "DELUSER", user])
        }
    }

    @Test func urlDatabaseIsSelected() async throws {
        let base = try RedisTestServer.configuration()
        var selected = base
        selected.database = 3
        let key = RedisTestServer.uniquePrefix("db")
        try await withRedisClient(configuration: selected) { client in
            _ = try await client.execute(["SET", key, "in-db-3"])
            #expect(try await client.execute(["GET", key]).stringValue == "in-db-3")
        }
        try await withRedisClient(configuration: base) { client in
            let other = try await client.execute(["GET", key])
            #expect(other == .null)
        }
        try await withRedisClient(configuration: selected) { client in
            _ = try await client.execute(["DEL", key])
        }
    }
}
