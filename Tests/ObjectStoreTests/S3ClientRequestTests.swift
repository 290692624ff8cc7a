import InferenceProtocol
import CurlHTTP
import Foundation
import Testing

@testable import ObjectStore

@Suite("S3 client without a server: addressing, signing, retries")
struct S3ClientRequestTests {
    static func header(_ request: HTTPRequestSpec?, _ name: String) -> String? {
        request?.headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    @Test("PUT: key segments encoded in the URL, body hash sent, metadata and content type signed")
    func putRequest() async throws {
        let transport = ScriptedTransport([.success(ScriptedTransport.ok(headers: [(name: "ETag", value: "\"abc\"")]))])
        let body = Data("hello".utf8)
        let etag = try await transport.client().put(
            key: "dir one/ü+x.json", body: body, contentType: "application/json", metadata: ["Job-Id": "j1"])
        #expect(etag == "abc")
        let sent = try #require(transport.sent.first)
        #expect(sent.method == "PUT")
        #expect(sent.url == "http://127.0.0.1:9000/bucket/dir%20one/%C3%BC%2Bx.json")
        #expect(sent.body == body)
        #expect(Self.header(sent, "host") == "127.0.0.1:9000")
        #expect(Self.header(sent, "x-amz-content-sha256") == SigV4Request.payloadHash(of: body))
        #expect(Self.header(sent, "x-amz-date") == "20130524T000000Z")
        #expect(Self.header(sent, "x-amz-meta-job-id") == "j1")
        let authorization = try #require(Self.header(sent, "Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20130524/us-east-1/s3/aws4_request,"))
        #expect(
            authorization.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-job-id,")
        )
    }

    @Test("virtual-hosted style puts the bucket in the host name and omits default ports")
    func virtualHosted() async throws {
        let transport = ScriptedTransport([])
        _ = try await transport.client(endpoint: "https://s3.example.com", pathStyle: false).get(key: "a/b.json")
        let sent = try #require(transport.sent.first)
        #expect(sent.url == "https://bucket.s3.example.com/a/b.json")
        #expect(Self.header(sent, "host") == "bucket.s3.example.com")
    }

    @Test("ListObjectsV2: the URL carries the canonical, encoded query")
    func listQuery() async throws {
        let transport = ScriptedTransport([
            .success(
                ScriptedTransport.ok(body: "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"))
        ])
        let page = try await transport.client().list(prefix: "jobs/a b/", continuationToken: "t/1+=", maxKeys: 10)
        #expect(page.objects.isEmpty)
        #expect(
            transport.sent.first?.url
                == "http://127.0.0.1:9000/bucket?continuation-token=t%2F1%2B%3D&list-type=2&max-keys=10"
                + "&prefix=jobs%2Fa%20b%2F"
        )
    }

    @Test("a 503 is retried after the first backoff and the retry succeeds")
    func retriesTransientStatus() async throws {
        let clock = RecordingClock()
        let transport = ScriptedTransport([
            ScriptedTransport.failure(503, "SlowDown"), .success(ScriptedTransport.ok(body: "data")),
        ])
        let data = try await transport.client(clock: clock).get(key: "k")
        #expect(data == Data("data".utf8))
        #expect(transport.sent.count == 2)
        #expect(clock.sleeps == [.milliseconds(100)])
        #expect(Self.header(transport.sent[0], "Authorization") != nil)
    }

    @Test("a lasting 500 gives up after maxAttempts with doubling delays, reporting the server error")
    func givesUpAfterMaxAttempts() async throws {
        let clock = RecordingClock()
        let transport = ScriptedTransport(Array(repeating: ScriptedTransport.failure(500, "InternalError"), count: 5))
        let error = try await #require(throws: ObjectStoreError.self) {
            try await transport.client(clock: clock).put(key: "k", body: Data())
        }
        #expect(error.code == .server)
        #expect(error.status == 500)
        #expect(error.s3Code == "InternalError")
        #expect(transport.sent.count == 3)
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
    }

    @Test("refused connections and timeouts are retried; cancellation is not")
    func transportFailures() async throws {
        let refused = ScriptedTransport([.failure(.connectFailed("refused")), .failure(.timedOut("slow"))])
        _ = try await refused.client().delete(key: "k")
        #expect(refused.sent.count == 3)

        let cancelled = ScriptedTransport([.failure(.cancelled)])
        let error = try await #require(throws: ObjectStoreError.self) { try await cancelled.client().get(key: "k") }
        #expect(error.code == .transport)
        #expect(error.underlying?.isCancellation == true)
        #expect(cancelled.sent.count == 1)
    }

    @Test("client errors are not retried: signature mismatch, missing key (HEAD → nil)")
    func clientErrorsAreFinal() async throws {
        let mismatch = ScriptedTransport([ScriptedTransport.failure(403, "SignatureDoesNotMatch")])
        let error = try await #require(throws: ObjectStoreError.self) { try await mismatch.client().get(key: "k") }
        #expect(error.code == .signatureMismatch)
        #expect(mismatch.sent.count == 1)
        #expect(!error.description.contains("do-not-print-me"))

        let missing = ScriptedTransport([.success(UpstreamResponse(status: 404, headers: [], body: Data()))])
        #expect(try await missing.client().head(key: "k") == nil)
        #expect(missing.sent.count == 1)
    }

    @Test("createBucket accepts BucketAlreadyOwnedByYou; bucketExists is false on 404")
    func bucketOperations() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.failure(409, "BucketAlreadyOwnedByYou"),
            .success(UpstreamResponse(status: 404, headers: [], body: Data())),
        ])
        let client = try transport.client()
        try await client.createBucket()
        #expect(try await client.bucketExists() == false)
        #expect(transport.sent.map(\.method) == ["PUT", "HEAD"])
        #expect(transport.sent.map(\.url) == ["http://127.0.0.1:9000/bucket", "http://127.0.0.1:9000/bucket"])
    }

    @Test("invalid arguments fail before anything is sent")
    func invalidArguments() async throws {
        let transport = ScriptedTransport([])
        let client = try transport.client()
        await #expect(throws: ObjectStoreError.self) { try await client.get(key: "") }
        await #expect(throws: ObjectStoreError.self) {
            try await client.put(key: "k", body: Data(), metadata: ["a b": "x"])
        }
        await #expect(throws: ObjectStoreError.self) {
            try await client.put(key: "k", body: Data(), metadata: ["a": "ü"])
        }
        await #expect(throws: ObjectStoreError.self) { try await client.list(maxKeys: 0) }
        #expect(transport.sent.isEmpty)
        #expect(throws: ObjectStoreError.self) { try transport.client(endpoint: "127.0.0.1:9000") }
        #expect(throws: ObjectStoreError.self) { try transport.client(endpoint: "ftp://host") }
    }

    @Test("backoff doubles from the initial delay and is capped")
    func backoffSchedule() {
        let policy = S3RetryPolicy(maxAttempts: 6, initialBackoff: .seconds(1), maxBackoff: .seconds(3))
        #expect(
            (1...5).map { policy.backoff(afterAttempt: $0) } == [
                .seconds(1), .seconds(2), .seconds(3), .seconds(3), .seconds(3),
            ])
        #expect(S3RetryPolicy(maxAttempts: 0).maxAttempts == 1)
    }

    @Test("the configuration's description hides the secret and the session token")
    func configurationDescription() {
        let configuration = S3Configuration(
            endpoint: "http://127.0.0.1:9000", region: "us-east-1", bucket: "b", accessKeyID: "AKID",
            secretAccessKey: "very-secret-value", sessionToken: "token-value")
        let text = "\(configuration)"
        #expect(!text.contains("very-secret-value"))
        #expect(!text.contains("token-value"))
        #expect(text.contains("AKID") && text.contains("http://127.0.0.1:9000"))
    }
}
