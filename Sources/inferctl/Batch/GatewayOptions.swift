import ArgumentParser
import Foundation
import InferenceProtocol

/// Where the gateway is and how to authenticate: `--gateway-url` / `GATEWAY_URL`,
/// `--api-key` / `INFERCTL_API_KEY` (else `DEMO_API_KEY`, the local stack's demo principal).
struct GatewayOptions: ParsableArguments {
    @Option(name: .long, help: "Gateway base URL (default: the GATEWAY_URL environment variable).")
    var gatewayURL: String?

    @Option(name: .long, help: "API key with the batch scope (default: INFERCTL_API_KEY, else DEMO_API_KEY).")
    var apiKey: String?

    /// Sends one request to the gateway; throws with the gateway's error text on a non-2xx answer.
    func call(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) async throws -> Data {
        try await exchange(method, path, body: body, contentType: contentType).body
    }

    /// ``call(_:_:body:contentType:)`` returning the whole answer, headers included.
    func exchange(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
        extraHeaders: [(name: String, value: String)] = [], alsoAccepting accepted: Set<Int> = []
    ) async throws -> UpstreamResponse {
        let environment = ProcessInfo.processInfo.environment
        guard let base = gatewayURL ?? environment["GATEWAY_URL"], !base.isEmpty else {
            throw ValidationError("set --gateway-url or GATEWAY_URL")
        }
        var headers: [(name: String, value: String)] = []
        if let key = apiKey ?? environment["INFERCTL_API_KEY"] ?? environment["DEMO_API_KEY"] {
            headers.append((name: "x-api-key", value: key))
        }
        if let contentType { headers.append((name: "Content-Type", value: contentType)) }
        headers += extraHeaders
        return try await ServiceCall.send(
            service: "gateway", base: base, method, path, headers: headers, body: body, accepted: accepted)
    }
}
