import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import TritonClient

/// `GET /v1/models`: the models of the upstream's repository index, with version and state.
struct ModelListRoutes: Sendable {
    let upstream: any KServeUpstream

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/v1/models") { _, _ in try await list() }
    }

    private struct Listing: Encodable {
        var models: [RepositoryModel]
    }

    func list() async throws -> Response {
        let answer = try await upstream.forward(
            UpstreamRequest(
                method: "POST", path: "/v2/repository/index",
                headers: [(name: "Content-Type", value: "application/json")],
                body: Data("{}".utf8), deadline: .now + .seconds(10)))
        guard answer.status == 200 else { throw InferenceError(answer: answer) }
        guard let models = try? JSONDecoder().decode([RepositoryModel].self, from: answer.body) else {
            throw InferenceError.upstream(status: 502, message: "the upstream's repository index is unreadable")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try encoder.encode(Listing(models: models))
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
