import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeHTTP
import TritonClient
import UploadFormats

/// `POST /v1/models/{model}/classify?k=3[&version=v][&output=name]`: an image (raw body or
/// multipart) in, the top-k classes out, computed by Triton's classification extension.
///
/// The model must take one `BYTES` input (the encoded image); the output defaults to the model's
/// first. Answer: `{"model", "model_version", "k", "classes": [{"index", "label", "score"}]}`,
/// best first.
struct ClassifyRoutes: Sendable {
    /// Largest `k` accepted.
    static let maximumK = 1000

    let upstream: any KServeUpstream
    let metadata: ModelMetadataCache
    let maxImageBytes: Int

    func register(on router: Router<GatewayRequestContext>) {
        router.post("/v1/models/:model/classify") { request, context in
            try await classify(request, context: context)
        }
    }

    struct Answer: Encodable {
        struct Class: Encodable {
            var index: Int
            var label: String?
            var score: Double
        }

        var model: String
        var modelVersion: String?
        var k: Int
        var classes: [Class]

        enum CodingKeys: String, CodingKey {
            case model, k, classes
            case modelVersion = "model_version"
        }
    }

    func classify(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        guard let model = context.model?.value else { throw InferenceError.badRequest("the path names no model") }
        let query = request.uri.queryParameters
        let k = try Self.topK(query.get("k"))
        let version = query.get("version").flatMap { $0.isEmpty ? nil : $0 }
        var request = request
        let body = try await request.collectBody(upTo: maxImageBytes)
        let image = try MultipartImage.image(
            from: Data(body.readableBytesView), contentType: request.headers[.contentType])

        let modelMetadata = try await metadata.metadata(model: model, version: version)
        let inferRequest = try Self.inferRequest(
            image: image, k: k, metadata: modelMetadata, output: query.get("output"))
        let encoded = try InferenceCodec.encodeRequest(inferRequest, binaryInputs: true)
        var headers: [(name: String, value: String)] = [(name: "Content-Type", value: encoded.contentType)]
        if let length = encoded.jsonHeaderLength {
            headers.append((name: InferenceCodec.headerLengthField, value: String(length)))
        }
        if let requestID = request.headers[KServeHeaders.requestID] {
            headers.append((name: RequestID.name, value: requestID))
        }
        let answer = try await upstream.forward(
            UpstreamRequest(
                method: "POST", path: KServePath.modelPath(model, version: version) + "/infer", headers: headers,
                body: encoded.body))
        guard answer.status == 200 else { throw InferenceError(answer: answer) }
        let response: InferResponse
        let entries: [ClassificationEntry]
        do {
            response = try InferenceCodec.decodeResponse(
                answer.body, jsonHeaderLength: answer.header(InferenceCodec.headerLengthField).flatMap(Int.init))
            guard let output = response.outputs.first else {
                throw InferenceError.upstream(status: 502, message: "no output")
            }
            entries = try output.classifications()
        } catch {
            throw InferenceError.upstream(status: 502, message: "the upstream's classification answer is unreadable")
        }
        let result = Answer(
            model: response.modelName, modelVersion: response.modelVersion, k: k,
            classes: entries.map { Answer.Class(index: $0.index, label: $0.label, score: $0.score) })
        var responseHeaders = HTTPFields()
        responseHeaders[.contentType] = "application/json"
        let json = try JSONEncoder().encode(result)
        return Response(status: .ok, headers: responseHeaders, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// `k` from the query: default 3, from 1 to ``maximumK``.
    static func topK(_ raw: String?) throws(InferenceError) -> Int {
        guard let raw else { return 3 }
        guard let k = Int(raw), (1...maximumK).contains(k) else {
            throw .badRequest("query parameter k must be a whole number from 1 to \(maximumK), got '\(raw.prefix(16))'")
        }
        return k
    }

    /// A one-image request for the model's single `BYTES` input, asking `output` (default the
    /// first) for its top `k` classes.
    static func inferRequest(image: Data, k: Int, metadata: ModelMetadata, output: String?) throws(InferenceError)
        -> InferRequest
    {
        guard metadata.inputs.count == 1, let input = metadata.inputs.first, input.datatype == "BYTES" else {
            throw .badRequest(
                "model '\(metadata.name)' does not take a single BYTES image input, so it cannot classify images")
        }
        guard let outputName = output ?? metadata.outputs.first?.name, metadata.output(named: outputName) != nil else {
            throw .badRequest("model '\(metadata.name)' has no output '\(output ?? "")'")
        }
        let shape = input.shape.map { $0 == -1 ? 1 : $0 }
        guard shape.reduce(1, *) == 1 else {
            throw .badRequest("model '\(metadata.name)' input '\(input.name)' takes more than one element per request")
        }
        return InferRequest(
            inputs: [InferTensor(name: input.name, shape: shape, bytes: [image])],
            outputs: [InferRequestedOutput(name: outputName, binaryData: true, classification: k)])
    }
}
