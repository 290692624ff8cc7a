import InferenceProtocol
import CurlHTTP
import Foundation
import Logging
import Resilience

/// One S3 operation before addressing and signing.
struct S3Request: Sendable {
    var method: String
    /// The object key; `nil` for requests on the bucket itself.
    var key: String?
    var query: [(name: String, value: String)] = []
    /// Headers to send and sign, besides `host` and the `x-amz-*` headers the signer adds.
    var headers: [(name: String, value: String)] = []
    var body: Data?
}

/// Metadata keys of this module's log records, in one place.
enum S3LogKey {
    static let method = "s3.method"
    static let bucket = "s3.bucket"
    static let key = "s3.key"
    static let attempt = "s3.attempt"
    static let error = "s3.error"
    static let delay = "s3.backoff_ms"
    static let status = "s3.status"
}

extension S3Client {
    /// Signs and sends `request`, retrying transient failures; returns a 2xx answer or throws.
    ///
    /// Each attempt is signed anew (fresh `x-amz-date`); the payload hash is computed once.
    func perform(_ request: S3Request) async throws -> UpstreamResponse {
        let hostHeader = endpoint.hostHeader(bucket: pathStyle ? nil : bucket)
        var path = pathStyle ? "/\(bucket)" : ""
        if let key = request.key {
            path += "/\(key)"
        } else if path.isEmpty {
            path = "/"
        }
        let unsigned = SigV4Request(
            method: request.method, path: path, query: request.query,
            headers: [(name: "host", value: hostHeader)] + request.headers,
            payloadHash: request.body.map(SigV4Request.payloadHash(of:)) ?? SigV4Request.emptyPayloadHash)
        let url = endpoint.url(
            hostHeader: hostHeader, encodedPath: unsigned.encodedPath, encodedQuery: unsigned.encodedQuery)

        var attempt = 1
        while true {
            let failure: ObjectStoreError
            do {
                let spec = HTTPRequestSpec(
                    method: request.method, url: url, headers: signer.authorize(unsigned, date: now()),
                    body: request.body, timeout: requestTimeout)
                let response = try await send(spec)
                if (200..<300).contains(response.status) { return response }
                failure = ObjectStoreError.from(response, bucket: bucket, key: request.key)
            } catch let error as UpstreamError {
                failure = ObjectStoreError.transport(error, endpoint: endpoint.display)
            } catch is CancellationError {
                failure = ObjectStoreError.transport(.cancelled, endpoint: endpoint.display)
            }
            guard failure.isRetryable, attempt < retry.maxAttempts else {
                if failure.code != .notFound && failure.code != .bucketMissing {
                    logger.debug(
                        "S3 request failed",
                        metadata: logMetadata(request, attempt: attempt, failure: failure))
                }
                throw failure
            }
            let delay = retry.backoff(afterAttempt: attempt)
            var metadata = logMetadata(request, attempt: attempt, failure: failure)
            metadata[S3LogKey.delay] = "\(delay.wholeMilliseconds)"
            logger.info("Retrying S3 request after a transient failure", metadata: metadata)
            do {
                try await clock.sleep(for: delay)
            } catch {
                throw ObjectStoreError.transport(.cancelled, endpoint: endpoint.display)
            }
            attempt += 1
        }
    }

    private func logMetadata(_ request: S3Request, attempt: Int, failure: ObjectStoreError) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            S3LogKey.method: "\(request.method)",
            S3LogKey.bucket: "\(bucket)",
            S3LogKey.attempt: "\(attempt)",
            S3LogKey.error: "\(failure.name)",
        ]
        if let key = request.key { metadata[S3LogKey.key] = "\(key)" }
        if let status = failure.status { metadata[S3LogKey.status] = "\(status)" }
        return metadata
    }
}
