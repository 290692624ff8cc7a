import InferenceProtocol
import CurlHTTP
import Foundation
import Synchronization

@testable import ObjectStore

/// Answers requests from a script instead of the network and records what was sent.
final class ScriptedTransport: Sendable {
    private let state: Mutex<(script: [Result<UpstreamResponse, UpstreamError>], sent: [HTTPRequestSpec])>

    /// Answers with `script` in order; once it runs out, every request gets an empty 200.
    init(_ script: [Result<UpstreamResponse, UpstreamError>]) {
        state = Mutex((script, []))
    }

    /// The requests received so far.
    var sent: [HTTPRequestSpec] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequestSpec) async throws -> UpstreamResponse {
        let next = state.withLock { state in
            state.sent.append(request)
            return state.script.isEmpty ? .success(Self.ok()) : state.script.removeFirst()
        }
        return try next.get()
    }

    /// A 2xx answer with the given headers and body.
    static func ok(status: Int = 200, headers: [(name: String, value: String)] = [], body: String = "")
        -> UpstreamResponse
    {
        UpstreamResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    /// An error answer with S3's XML error body.
    static func failure(_ status: Int, _ code: String) -> Result<UpstreamResponse, UpstreamError> {
        .success(
            UpstreamResponse(
                status: status, headers: [],
                body: Data("<Error><Code>\(code)</Code><Message>try later</Message></Error>".utf8)))
    }

    /// A client for bucket `bucket` at `endpoint` that sends through this transport.
    func client(
        endpoint: String = "http://127.0.0.1:9000", pathStyle: Bool = true, retry: S3RetryPolicy = S3RetryPolicy(),
        clock: RecordingClock = RecordingClock()
    ) throws -> S3Client {
        try S3Client(
            configuration: S3Configuration(
                endpoint: endpoint, region: "us-east-1", bucket: "bucket", accessKeyID: "AKIDEXAMPLE",
                secretAccessKey: "do-not-print-me", pathStyle: pathStyle, retry: retry),
            clock: clock, now: { Date(timeIntervalSince1970: 1_369_353_600) },
            send: { try await self.send($0) })
    }
}
