import CurlHTTP
import Foundation
import ObjectStore
import TestSupport
import Testing

@Suite(
    "Buckets, credentials and unreachable servers on the local S3", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: S3Fixture.isConfigured, "S3_ENDPOINT not set: run `make up` first"))
struct S3FailureIntegrationTests {
    @Test("a wrong secret gives signatureMismatch with a clear message that shows no secret or signature")
    func wrongSecret() async throws {
        let wrongSecret = "wrong-secret-\(UUID().uuidString)"
        let realSecret = try S3Fixture.configuration().secretAccessKey
        let configuration = try S3Fixture.configuration(secretAccessKey: wrongSecret)
        try await S3Client.withClient(configuration: configuration) { client in
            for operation in ["get", "put", "list"] {
                let error = try await #require(throws: ObjectStoreError.self, "\(operation)") {
                    switch operation {
                    case "get": _ = try await client.get(key: "tests/objectstore/any.json")
                    case "put": try await client.put(key: "tests/objectstore/any.json", body: Data("x".utf8))
                    default: _ = try await client.list(prefix: "tests/")
                    }
                }
                #expect(error.code == .signatureMismatch, "\(operation)")
                #expect(error.status == 403)
                #expect(
                    error.description
                        == "S3 rejected the request signature (SignatureDoesNotMatch): "
                        + "check AWS_SECRET_ACCESS_KEY and the region"
                )
                let shown = "\(error) \(String(reflecting: error.description))"
                #expect(!shown.contains(wrongSecret) && !shown.contains(realSecret))
                #expect(shown.range(of: "[0-9a-f]{64}", options: .regularExpression) == nil)
            }
            // A HEAD answer has no body, so S3 cannot say why; it is still an access failure.
            let head = try await #require(throws: ObjectStoreError.self) { try await client.head(key: "tests/any") }
            #expect(head.code == .accessDenied)
            #expect(head.description.contains("AWS_SECRET_ACCESS_KEY"))
        }
    }

    @Test("an unknown access key ID is reported as such")
    func unknownAccessKey() async throws {
        let configuration = try S3Fixture.configuration(accessKeyID: "NOSUCHKEY\(UInt32.random(in: 0...UInt32.max))")
        try await S3Client.withClient(configuration: configuration) { client in
            let error = try await #require(throws: ObjectStoreError.self) { try await client.get(key: "tests/any") }
            #expect(error.code == .accessDenied)
            #expect(error.s3Code == "InvalidAccessKeyId")
            #expect(error.description.contains("AWS_ACCESS_KEY_ID"))
        }
    }

    @Test("nothing listening on the port: a connect failure after the bounded retries and their backoffs")
    func refusedConnection() async throws {
        let configuration = try S3Fixture.configuration(endpoint: "http://127.0.0.1:1")
        // The backoffs are recorded instead of slept: the schedule is asserted, not the wall clock.
        let clock = RecordingClock()
        let transport = CurlHTTPTransport()
        let client = try S3Client(configuration: configuration, transport: transport, clock: clock)
        let result = await #expect(throws: ObjectStoreError.self) { try await client.get(key: "k") }
        await transport.shutdown()
        let error = try #require(result)
        #expect(error.code == .transport)
        // Refused, not timed out: no attempt waited for the 30 s request timeout.
        #expect(error.underlying?.isConnectFailure == true)
        #expect(error.description.contains("127.0.0.1:1"))
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)], "three attempts, two backoffs")
    }

    @Test("a server that never answers: the attempt ends with a timeout error")
    func silentServer() async throws {
        let silent = try SilentTCPServer()
        let configuration = try S3Fixture.configuration(
            endpoint: silent.url, requestTimeout: .milliseconds(300), retry: .none)
        // The timeout error itself shows the request timeout fired; a hang ends at the suite's time limit.
        try await S3Client.withClient(configuration: configuration) { client in
            let error = try await #require(throws: ObjectStoreError.self) { try await client.get(key: "k") }
            #expect(error.code == .transport)
            #expect(error.underlying?.isTimeout == true)
            #expect(error.isRetryable)
        }
    }

    @Test("the stack's bucket exists; createBucket is idempotent; a missing bucket is reported as such")
    func buckets() async throws {
        try await S3Client.withClient(configuration: S3Fixture.configuration()) { client in
            #expect(try await client.bucketExists())
            try await client.createBucket()
        }
        let missing = "missing-\(UUID().uuidString.lowercased().prefix(8))"
        try await S3Client.withClient(configuration: S3Fixture.configuration(bucket: missing)) { client in
            #expect(try await client.bucketExists() == false)
            let error = try await #require(throws: ObjectStoreError.self) { try await client.get(key: "k") }
            #expect(error.code == .bucketMissing)
            #expect(error.description.contains(missing))
        }
    }

    @Test("a new bucket can be created, used and deleted")
    func createAndDeleteBucket() async throws {
        let name = "objectstore-test-\(UUID().uuidString.lowercased().prefix(8))"
        try await S3Client.withClient(configuration: S3Fixture.configuration(bucket: name)) { client in
            try await client.createBucket()
            #expect(try await client.bucketExists())
            try await client.createBucket()
            try await client.put(key: "k.json", body: Data("{}".utf8))
            #expect(try await client.get(key: "k.json") == Data("{}".utf8))
            try await client.delete(key: "k.json")
            try await client.deleteBucket()
            #expect(try await client.bucketExists() == false)
        }
    }
}
