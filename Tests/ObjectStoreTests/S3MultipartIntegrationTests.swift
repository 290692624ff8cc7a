import Foundation
import ObjectStore
import Testing

@Suite(
    "Multipart uploads on the local S3 (SeaweedFS)", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: S3Fixture.isConfigured, "S3_ENDPOINT not set: run `make up` first"))
struct S3MultipartIntegrationTests {
    @Test("a writer fed 13 MiB in uneven pieces stores it as 3 parts; the object reads back byte for byte")
    func writerSendsParts() async throws {
        try await S3Fixture.withClient { client, prefix in
            let key = prefix + "output.jsonl"
            let body = S3Fixture.bytes(13 << 20, seed: 11)
            var writer = S3ObjectWriter(
                client: client, key: key, contentType: "application/x-ndjson", partSize: 5 << 20)
            var offset = 0
            var piece = 1
            while offset < body.count {
                let end = min(body.count, offset + piece * 9973)
                try await writer.append(body[offset..<end])
                offset = end
                piece += 1
            }
            #expect(try await client.head(key: key) == nil, "nothing is visible before finish")
            try await writer.finish()
            #expect(writer.count == body.count)
            let head = try #require(try await client.head(key: key))
            #expect(head.size == body.count)
            #expect(head.etag.hasSuffix("-3"), "a multipart ETag names its 3 parts: \(head.etag)")
            #expect(try await client.get(key: key) == body)
        }
    }

    @Test("a small object and an empty one go as one PUT; writing the key again replaces it")
    func smallAndEmpty() async throws {
        try await S3Fixture.withClient { client, prefix in
            var small = S3ObjectWriter(client: client, key: prefix + "small", contentType: "text/plain")
            try await small.append(Data("one\n".utf8))
            try await small.append(Data("two\n".utf8))
            try await small.finish()
            #expect(try await client.get(key: prefix + "small") == Data("one\ntwo\n".utf8))

            var empty = S3ObjectWriter(client: client, key: prefix + "small", contentType: "text/plain")
            try await empty.finish()
            #expect(try await client.head(key: prefix + "small")?.size == 0)
        }
    }

    @Test("an aborted upload leaves no object; completing an unknown upload id fails")
    func abortAndUnknownUpload() async throws {
        try await S3Fixture.withClient { client, prefix in
            let key = prefix + "aborted"
            var writer = S3ObjectWriter(client: client, key: key, contentType: "text/plain", partSize: 5 << 20)
            try await writer.append(S3Fixture.bytes(6 << 20, seed: 3))
            await writer.abort()
            #expect(try await client.head(key: key) == nil)
            await #expect(throws: ObjectStoreError.self) {
                try await client.completeMultipartUpload(
                    key: key, uploadID: "no-such-upload", parts: [S3UploadedPart(number: 1, etag: "0")])
            }
        }
    }
}
