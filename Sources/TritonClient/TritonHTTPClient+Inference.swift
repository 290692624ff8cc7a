import Foundation
import CurlHTTP
import InferenceProtocol

extension TritonHTTPClient: InferenceService {
    /// The header carrying the JSON part's length when binary tensors follow it.
    public static let headerLengthField = InferenceHeaderLength.field

    /// Runs inference; binary tensor data is used for inputs when `binaryInputs` is true.
    ///
    /// A deadline becomes both the transfer timeout and Triton's `timeout` request parameter.
    public func infer(
        _ request: InferRequest,
        model: String,
        version: String? = nil,
        deadline: ContinuousClock.Instant? = nil,
        binaryInputs: Bool,
        headers: [(name: String, value: String)] = []
    ) async throws -> InferResponse {
        var request = request
        if let deadline {
            let micros = ContinuousClock.now.duration(to: deadline).microseconds
            if micros > 0 { request.parameters["timeout"] = .int(micros) }
        }
        let encoded = try InferenceCodec.encodeRequest(request, binaryInputs: binaryInputs)
        var allHeaders = headers
        if let length = encoded.jsonHeaderLength {
            allHeaders.append((name: Self.headerLengthField, value: String(length)))
            allHeaders.append((name: "Content-Type", value: "application/octet-stream"))
        } else {
            allHeaders.append((name: "Content-Type", value: "application/json"))
        }
        let response = try await sendExpectingSuccess(
            method: "POST",
            path: KServePath.modelPath(model, version: version) + "/infer",
            headers: allHeaders,
            body: encoded.body,
            deadline: deadline
        )
        let headerLength = response.header(Self.headerLengthField).flatMap(Int.init)
        do {
            return try InferenceCodec.decodeResponse(response.body, jsonHeaderLength: headerLength)
        } catch {
            throw UpstreamError.invalidResponse("could not decode the inference response: \(error)")
        }
    }

    /// Runs inference with JSON-encoded inputs (outputs follow each output's `binary_data`).
    public func infer(
        _ request: InferRequest,
        model: String,
        version: String?,
        deadline: ContinuousClock.Instant?
    ) async throws -> InferResponse {
        try await infer(request, model: model, version: version, deadline: deadline, binaryInputs: false)
    }

    /// The model's metadata (inputs, outputs, versions, platform).
    public func modelMetadata(model: String, version: String?) async throws -> ModelMetadata {
        try await getJSON(KServePath.modelPath(model, version: version))
    }

    /// The model's configuration as Triton reports it (`config.pbtxt` in JSON form).
    public func modelConfig(model: String, version: String? = nil) async throws -> Data {
        try await sendExpectingSuccess(method: "GET", path: KServePath.modelPath(model, version: version) + "/config")
            .body
    }

    /// Inference statistics of one model, or of every model when `model` is nil, as JSON.
    public func statistics(model: String? = nil, version: String? = nil) async throws -> Data {
        let path = model.map { KServePath.modelPath($0, version: version) + "/stats" } ?? "/v2/models/stats"
        return try await sendExpectingSuccess(method: "GET", path: path).body
    }

    /// The models in the server's repository with their load state.
    public func repositoryIndex(readyOnly: Bool = false, deadline: ContinuousClock.Instant? = nil) async throws
        -> [RepositoryModel]
    {
        let body = try JSONSerialization.data(withJSONObject: ["ready": readyOnly])
        let response = try await sendExpectingSuccess(
            method: "POST", path: "/v2/repository/index",
            headers: [(name: "Content-Type", value: "application/json")], body: body, deadline: deadline)
        return try decode([RepositoryModel].self, from: response.body)
    }

    /// The server's name, version and protocol extensions.
    public func serverMetadata() async throws -> ServerMetadata {
        try await getJSON("/v2")
    }

    func getJSON<T: Decodable>(_ path: String) async throws -> T {
        try decode(T.self, from: try await sendExpectingSuccess(method: "GET", path: path).body)
    }

    private func decode<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw UpstreamError.invalidResponse("could not decode \(T.self) from the server's answer")
        }
    }
}

extension Duration {
    /// Whole microseconds, truncated.
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
