import ArgumentParser
import CurlHTTP
import Foundation
import InferenceProtocol

/// One HTTP exchange with a platform service, with errors an operator can act on.
enum ServiceCall {
    /// Sends `method path` to `base`; throws naming `service` when it cannot be reached or
    /// answers outside 2xx (and `accepted`).
    static func send(
        service: String, base: String, _ method: String, _ path: String,
        headers: [(name: String, value: String)], body: Data? = nil, accepted: Set<Int> = []
    ) async throws -> UpstreamResponse {
        let transport = CurlHTTPTransport()
        defer { Task { await transport.shutdown() } }
        let response: UpstreamResponse
        do {
            response = try await transport.execute(
                HTTPRequestSpec(method: method, url: base + path, headers: headers, body: body, timeout: .seconds(120)))
        } catch let error as UpstreamError {
            throw CommandFailure("cannot reach the \(service) at \(base): \(error.message)")
        }
        guard (200..<300).contains(response.status) || accepted.contains(response.status) else {
            throw CommandFailure("the \(service) answered \(response.status): \(response.errorText)")
        }
        return response
    }
}

/// A failure to report to the operator as one line (no usage text: the command line was fine).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
