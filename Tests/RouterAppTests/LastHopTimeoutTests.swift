import InferenceProtocol
import CurlHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TritonClient

/// A client deadline becomes Triton's `timeout` parameter once, at the hop that calls Triton; a
/// hop to a router or gateway passes the body untouched (the deadline travels as a header).
@Suite("Triton's timeout is written at the last hop only")
struct LastHopTimeoutTests {
    @Test("the body gets parameters.timeout only from a client that calls Triton", arguments: [true, false])
    func timeoutParameter(setsTritonTimeout: Bool) async throws {
        let echo = Router()
        echo.post("/v2/models/:model/infer") { request, _ in
            var headers = HTTPFields()
            headers[.init("x-seen-timeout")!] = request.headers[.init("x-request-timeout-ms")!] ?? "none"
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        let sent = #"{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1],"data":[1]}]}"#
        try await Application(router: echo).test(.live) { client in
            let transport = CurlHTTPTransport()
            var upstream = TritonHTTPClient(baseURL: "http://127.0.0.1:\(client.port!)", transport: transport)
            upstream.setsTritonTimeout = setsTritonTimeout
            let request = UpstreamRequest(
                method: "POST", path: "/v2/models/simple/infer",
                headers: [(name: "Content-Type", value: "application/json")], body: Data(sent.utf8),
                deadline: .now + .seconds(20))
            let response: UpstreamResponse
            do {
                response = try await upstream.forward(request)
            } catch {
                await transport.shutdown()
                throw error
            }
            await transport.shutdown()
            let received = String(decoding: response.body, as: UTF8.self)
            #expect(received.contains(#""timeout":"#) == setsTritonTimeout)
            if !setsTritonTimeout { #expect(received == sent) }
            // Either way the time left travels on as a header, for the next hop.
            #expect(Int(response.header("x-seen-timeout") ?? "") ?? 0 > 10_000)
        }
    }

    @Test("a request for another version keeps its action and names the version in the path")
    func forVersion() {
        let request = UpstreamRequest(method: "POST", path: "/v2/models/digits/infer")
        let routed = request.forVersion("2")
        #expect(routed.path == "/v2/models/digits/versions/2/infer")
        #expect(routed.model == "digits" && routed.version == "2" && routed.isInference)
        #expect(request.forVersion(nil).path == request.path)
        let metadata = UpstreamRequest(method: "GET", path: "/v2/models/digits/versions/1")
        #expect(metadata.action == "" && metadata.forVersion("2").path == "/v2/models/digits/versions/2")
        #expect(UpstreamRequest(method: "GET", path: "/v2/health/ready").action == nil)
    }
}
