import CurlHTTP
import InferenceProtocol
import Foundation

/// Makes one callback attempt: reads the URL, fences the address, signs, and posts the body to
/// the pinned address with no redirects, a short timeout and a capped response.
struct CallbackSender: Sendable {
    let transport: CurlHTTPTransport
    let fence: CallbackFence
    let signer: CallbackSigner
    let timeout: Duration
    let maxResponseBytes: Int
    let now: @Sendable () -> Date

    /// Posts `body` for `jobID` to `url`; returns when the receiver answered 2xx.
    ///
    /// - Throws: ``CallbackError`` for anything else, `CancellationError` when cancelled.
    func send(url: String, body: Data, jobID: UUID) async throws {
        let target = try CallbackTarget(url)
        let address = try await fence.address(for: target)
        let timestamp = Int64(now().timeIntervalSince1970)
        var request = HTTPRequestSpec(
            method: "POST", url: target.url,
            headers: [
                (name: "Content-Type", value: "application/json"),
                (name: "User-Agent", value: "batch-worker-callbacks/1"),
                (name: "X-Batch-Job-Id", value: jobID.uuidString.lowercased()),
                (name: CallbackSigner.timestampHeader, value: String(timestamp)),
                (name: CallbackSigner.signatureHeader, value: signer.signature(timestamp: timestamp, body: body)),
            ],
            body: body, timeout: timeout)
        request.connectTo = address.endpoint(port: target.port)
        request.maxResponseBytes = maxResponseBytes
        let response: UpstreamResponse
        do {
            response = try await transport.execute(request)
        } catch let error as UpstreamError {
            if error.isCancellation { throw CancellationError() }
            if error.isKind(of: .invalidResponse("")) { throw CallbackError.oversizedResponse(maxResponseBytes) }
            throw CallbackError.noAnswer(error.message)
        }
        switch response.status {
        case 200..<300: return
        case 300..<400: throw CallbackError.redirect(response.status)
        default: throw CallbackError.status(response.status)
        }
    }
}
