import RedisClient
import Testing

@Suite struct RedisConfigurationTests {
    @Test func parsesHostPortAndDefaults() throws {
        let configuration = try RedisConfiguration(url: "redis://127.0.0.1:16379")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 16379)
        #expect(configuration.password == nil)
        #expect(configuration.username == nil)
        #expect(configuration.database == nil)
        #expect(configuration.poolSize == 2)
        #expect(configuration.maximumQueuedCommands == 10_000)

        let bare = try RedisConfiguration(url: "redis://cache.internal")
        #expect(bare.host == "cache.internal")
        #expect(bare.port == 6379)
    }

    @Test func parsesPasswordUserAndDatabase() throws {
        let passwordOnly = try RedisConfiguration(url: "redis://:s3cr%40t%3A@redis:6380/2")
        #expect(passwordOnly.host == "redis")
        #expect(passwordOnly.port == 6380)
        #expect(passwordOnly.username == nil)
        #expect(passwordOnly.password == "s3cr@t:")
        #expect(passwordOnly.database == 2)

        let withUser = try RedisConfiguration(url: "redis://gateway:pa:ss@10.0.0.5:7000/0?timeout=1")
        #expect(withUser.username == "gateway")
        #expect(withUser.password == "pa:ss")
        #expect(withUser.host == "10.0.0.5")
        #expect(withUser.database == 0)

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:6390/")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 6390)
        #expect(ipv6.database == nil)
    }

    @Test(arguments: [
        "http://127.0.0.1:6379", "rediss://host:6380", "redis://", "redis://host:0", "redis://host:99999",
        "redis://host:port", "redis://host/db", "redis://host/-1", "redis://[::1", "redis://:%zz@host",
    ])
    func rejectsBadURLsWithoutRepeatingThem(url: String) {
        #expect {
            try RedisConfiguration(url: url)
        } throws: { error in
            guard let error = error as? RedisClientError else { return false }
            return error.code == .invalidConfiguration && !error.description.contains(url)
        }
    }

    @Test func descriptionMasksThePassword() throws {
        let configuration = try RedisConfiguration(url: "redis://admin:hunter2-very-secret@redis:6379/1")
        #expect(!configuration.description.contains("hunter2-very-secret"))
        #expect(configuration.description.hasPrefix("redis://admin:***@redis:6379/1"))
        let error = try #require(throws: RedisClientError.self) {
            try RedisConfiguration(url: "rediss://:hunter2-very-secret@redis")
        }
        #expect(!error.description.contains("hunter2"))
    }

    @Test func scriptDigestMatchesKnownSHA1Values() {
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        let long = String(
            repeating: "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop", count: 3)
        #expect(RedisScript(long).sha1 == "5d77b6089b8c1219a6a8ebf51a091d8fd545f290")
        #expect(RedisScript("héllo ✓").sha1 == "b7c2a1aa52961195ac19331417a20a8b4f202ddb")
        #expect(
            RedisScript("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").sha1
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
