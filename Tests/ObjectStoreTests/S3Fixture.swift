import Foundation
import ObjectStore
import TestSupport

/// The local stack's S3 service, from the environment (`S3_ENDPOINT`, `S3_BUCKET`, `S3_REGION`,
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
enum S3Fixture {
    /// True when the S3 tests should run: configured, or required so that they fail loudly.
    static var isConfigured: Bool {
        StackEnvironment.current.values["S3_ENDPOINT"] != nil || StackEnvironment.current.requiresStack
    }

    /// The stack's configuration, with any of its parts replaced.
    static func configuration(
        endpoint: String? = nil, bucket: String? = nil, accessKeyID: String? = nil, secretAccessKey: String? = nil,
        requestTimeout: Duration = .seconds(30), retry: S3RetryPolicy = S3RetryPolicy()
    ) throws -> S3Configuration {
        let environment = StackEnvironment.current
        return S3Configuration(
            endpoint: try endpoint ?? environment.require("S3_ENDPOINT"),
            region: environment.values["S3_REGION"] ?? "us-east-1",
            bucket: try bucket ?? environment.require("S3_BUCKET"),
            accessKeyID: try accessKeyID ?? environment.require("AWS_ACCESS_KEY_ID"),
            secretAccessKey: try secretAccessKey ?? environment.require("AWS_SECRET_ACCESS_KEY"),
            requestTimeout: requestTimeout, retry: retry)
    }

    /// Runs `body` with a client for the stack's bucket and a key prefix of its own; every object
    /// under that prefix is deleted afterwards.
    static func withClient(_ body: (S3Client, String) async throws -> Void) async throws {
        let prefix = "tests/objectstore/\(UUID().uuidString)/"
        try await S3Client.withClient(configuration: configuration()) { client in
            do {
                try await body(client, prefix)
            } catch {
                try? await cleanUp(client, prefix: prefix)
                throw error
            }
            try await cleanUp(client, prefix: prefix)
        }
    }

    /// Deletes every object under `prefix`.
    static func cleanUp(_ client: S3Client, prefix: String) async throws {
        for object in try await client.listAll(prefix: prefix) {
            try await client.delete(key: object.key)
        }
    }

    /// `count` deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var generator = SplitMix64(seed: seed)
        var words = [UInt64]()
        words.reserveCapacity(count / 8 + 1)
        for _ in 0...(count / 8) { words.append(generator.next()) }
        return words.withUnsafeBytes { Data($0.prefix(count)) }
    }
}
