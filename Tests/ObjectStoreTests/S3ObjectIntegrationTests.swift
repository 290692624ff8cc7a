import Foundation
import ObjectStore
import Testing

@Suite(
    "Objects on the local S3 (SeaweedFS, SigV4 enforced)", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: S3Fixture.isConfigured, "S3_ENDPOINT not set: run `make up` first"))
struct S3ObjectIntegrationTests {
    @Test("binary data round-trips through put, head, get and delete, with content type and metadata")
    func roundTrip() async throws {
        try await S3Fixture.withClient { client, prefix in
            let key = prefix + "item-1.bin"
            let body = S3Fixture.bytes(64 * 1024 + 3, seed: 1)
            let etag = try await client.put(
                key: key, body: body, contentType: "application/x-test", metadata: ["job-id": "job 42", "Item": "1"])
            #expect(!etag.isEmpty && !etag.contains("\""))

            let head = try #require(try await client.head(key: key))
            #expect(head.size == body.count)
            #expect(head.etag == etag)
            #expect(head.contentType == "application/x-test")
            #expect(head.metadata["job-id"] == "job 42")
            #expect(head.metadata["item"] == "1")
            #expect(try await client.get(key: key) == body)

            try await client.delete(key: key)
            #expect(try await client.head(key: key) == nil)
        }
    }

    @Test("a range GET returns exactly the bytes asked for; a range past the end is an error")
    func rangeGet() async throws {
        try await S3Fixture.withClient { client, prefix in
            let key = prefix + "shard.jsonl"
            let body = S3Fixture.bytes(100_000, seed: 7)
            try await client.put(key: key, body: body)
            #expect(try await client.get(key: key, range: 0..<1) == body[0..<1])
            #expect(try await client.get(key: key, range: 65_530..<70_001) == body[65_530..<70_001])
            #expect(try await client.get(key: key, range: 99_990..<100_000) == body[99_990..<100_000])
            let error = try await #require(throws: ObjectStoreError.self) {
                try await client.get(key: key, range: 99_990..<100_010)
            }
            #expect(error.code == .invalidResponse, "a shorter answer than asked for")
        }
    }

    @Test("a 5 MB object and an empty object round-trip byte for byte")
    func largeAndEmpty() async throws {
        try await S3Fixture.withClient { client, prefix in
            let large = S3Fixture.bytes(5 * 1024 * 1024, seed: 5)
            try await client.put(key: prefix + "large.bin", body: large)
            #expect(try await client.head(key: prefix + "large.bin")?.size == large.count)
            #expect(try await client.get(key: prefix + "large.bin") == large)

            try await client.put(key: prefix + "empty.json", body: Data(), contentType: "application/json")
            let head = try #require(try await client.head(key: prefix + "empty.json"))
            #expect(head.size == 0)
            #expect(head.etag == "d41d8cd98f00b204e9800998ecf8427e")
            #expect(try await client.get(key: prefix + "empty.json") == Data())
        }
    }

    @Test("keys with spaces, unicode, `+`, `=`, `&`, `%` and other reserved characters work and list back exactly")
    func awkwardKeys() async throws {
        try await S3Fixture.withClient { client, prefix in
            let names = [
                "with space.json", "ünïcødé/日本語 ファイル.txt", "plus+sign.bin", "a=b&c=d;e,f.txt",
                "100% done.txt",
                "tilde~star*(paren)!'.txt", "emoji 😀/x@y$z.json",
            ]
            for (index, name) in names.enumerated() {
                try await client.put(key: prefix + name, body: Data("value \(index)".utf8))
            }
            for (index, name) in names.enumerated() {
                #expect(try await client.get(key: prefix + name) == Data("value \(index)".utf8), "\(name)")
                #expect(try await client.head(key: prefix + name)?.size == "value \(index)".utf8.count, "\(name)")
            }
            let listed = try await client.listAll(prefix: prefix).map(\.key)
            #expect(Set(listed) == Set(names.map { prefix + $0 }))
            #expect(try await client.listAll(prefix: prefix + "ünïcødé/").map(\.key) == [prefix + names[1]])
        }
    }

    @Test("25 objects listed 10 at a time: pages of 10, 10 and 5 linked by continuation tokens")
    func pagination() async throws {
        try await S3Fixture.withClient { client, prefix in
            let keys = (0..<25).map { prefix + "items/" + String(format: "%03d", $0) + ".json" }
            for key in keys { try await client.put(key: key, body: Data(key.utf8), contentType: "application/json") }
            try await client.put(key: prefix + "other/outside.json", body: Data("x".utf8))

            var pages: [S3ListPage] = []
            var token: String?
            repeat {
                let page = try await client.list(prefix: prefix + "items/", continuationToken: token, maxKeys: 10)
                pages.append(page)
                token = page.nextContinuationToken
            } while token != nil && pages.count < 10
            #expect(pages.map(\.objects.count) == [10, 10, 5])
            #expect(pages.map(\.isTruncated) == [true, true, false])
            #expect(pages.flatMap(\.objects).map(\.key) == keys)
            #expect(pages.flatMap(\.objects).allSatisfy { $0.size == $0.key.utf8.count && !$0.etag.isEmpty })

            #expect(try await client.listAll(prefix: prefix + "items/", pageSize: 7).map(\.key) == keys)
            #expect(try await client.listAll(prefix: prefix).count == 26)
            #expect(try await client.list(prefix: prefix + "nothing-here/").objects.isEmpty)
        }
    }

    @Test("putting the same key again is idempotent; a new body replaces the old one")
    func overwrite() async throws {
        try await S3Fixture.withClient { client, prefix in
            let key = prefix + "result.json"
            let first = Data(#"{"outputs":[1,2,3]}"#.utf8)
            let etag1 = try await client.put(key: key, body: first, contentType: "application/json")
            let etag2 = try await client.put(key: key, body: first, contentType: "application/json")
            #expect(etag1 == etag2)
            #expect(try await client.get(key: key) == first)
            #expect(try await client.listAll(prefix: prefix).map(\.key) == [key])

            let second = Data(#"{"outputs":[4]}"#.utf8)
            let etag3 = try await client.put(key: key, body: second, contentType: "application/json")
            #expect(etag3 != etag1)
            #expect(try await client.get(key: key) == second)
            #expect(try await client.head(key: key)?.size == second.count)
        }
    }

    @Test("a missing key: get throws notFound naming the key, head is nil, delete succeeds")
    func missingKey() async throws {
        try await S3Fixture.withClient { client, prefix in
            let key = prefix + "never-written.json"
            let error = try await #require(throws: ObjectStoreError.self) { try await client.get(key: key) }
            #expect(error.code == .notFound)
            #expect(error.status == 404)
            #expect(error.name == "not_found")
            #expect(error.description.contains(key))
            #expect(try await client.head(key: key) == nil)
            try await client.delete(key: key)
        }
    }
}
