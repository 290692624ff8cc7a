import Foundation
import GRPCCore
import InferenceProtocol
import Logging
import SwiftProtobuf
import Tracing

/// The KServe v2 / Triton `inference.GRPCInferenceService` over any ``KServeUpstream``.
///
/// Each call becomes the matching KServe v2 HTTP request (a `ModelInfer` one with binary tensors),
/// so balancing, breakers, canaries, retries and deadlines apply per call exactly as for HTTP.
/// Answers are read back into the protobuf messages; errors become gRPC statuses through
/// ``InferenceError``'s one mapping.
public struct InferenceGRPCService: Inference_GRPCInferenceService.ServiceProtocol {
    private let upstream: any KServeUpstream
    private let policy: any GRPCCallPolicy
    private let observer: GRPCCallObserver
    private let logger: Logger

    /// Serves calls through `policy` to `upstream`; `observer` records each one.
    public init(
        upstream: any KServeUpstream, policy: any GRPCCallPolicy = AdmitAllCalls(),
        observer: GRPCCallObserver = GRPCCallObserver(), logger: Logger
    ) {
        self.upstream = upstream
        self.policy = policy
        self.observer = observer
        self.logger = logger
    }

    public func serverLive(
        request: ServerRequest<Inference_ServerLiveRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ServerLiveResponse> {
        try await answer("ServerLive", model: nil, request.metadata, context) { call in
            let answer = try await call.send("GET", "/v2/health/live")
            return .with { $0.live = answer.status == 200 }
        }
    }

    public func serverReady(
        request: ServerRequest<Inference_ServerReadyRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ServerReadyResponse> {
        try await answer("ServerReady", model: nil, request.metadata, context) { call in
            let answer = try await call.send("GET", "/v2/health/ready")
            return .with { $0.ready = answer.status == 200 }
        }
    }

    public func modelReady(
        request: ServerRequest<Inference_ModelReadyRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ModelReadyResponse> {
        let message = request.message
        return try await answer("ModelReady", model: message.name, request.metadata, context) { call in
            let answer = try await call.send("GET", try modelPath(message.name, message.version) + "/ready")
            return .with { $0.ready = answer.status == 200 }
        }
    }

    public func serverMetadata(
        request: ServerRequest<Inference_ServerMetadataRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ServerMetadataResponse> {
        try await answer("ServerMetadata", model: nil, request.metadata, context) { call in
            try UpstreamJSON.message(from: try await call.send("GET", "/v2"))
        }
    }

    public func modelMetadata(
        request: ServerRequest<Inference_ModelMetadataRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ModelMetadataResponse> {
        let message = request.message
        return try await answer("ModelMetadata", model: message.name, request.metadata, context) { call in
            try UpstreamJSON.message(from: try await call.send("GET", try modelPath(message.name, message.version)))
        }
    }

    public func modelInfer(
        request: ServerRequest<Inference_ModelInferRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ModelInferResponse> {
        let message = request.message
        return try await answer("ModelInfer", model: message.modelName, request.metadata, context) { call in
            let path = try modelPath(message.modelName, message.modelVersion) + "/infer"
            let encoded = try ModelInferConversion.body(for: message)
            var headers = [(name: "Content-Type", value: encoded.contentType)]
            if let length = encoded.jsonHeaderLength {
                headers.append((name: InferenceHeaderLength.field, value: String(length)))
            }
            let answer = try await call.send("POST", path, headers: headers, body: encoded.body)
            guard answer.status == 200 else { throw InferenceError(answer: answer) }
            return try ModelInferConversion.response(from: answer)
        }
    }

    public func modelConfig(
        request: ServerRequest<Inference_ModelConfigRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ModelConfigResponse> {
        let message = request.message
        return try await answer("ModelConfig", model: message.name, request.metadata, context) { call in
            let answer = try await call.send("GET", try modelPath(message.name, message.version) + "/config")
            let config: Inference_ModelConfig = try UpstreamJSON.message(from: answer)
            return .with { $0.config = config }
        }
    }

    public func modelStatistics(
        request: ServerRequest<Inference_ModelStatisticsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_ModelStatisticsResponse> {
        let message = request.message
        let model = message.name.isEmpty ? nil : message.name
        return try await answer("ModelStatistics", model: model, request.metadata, context) { call in
            let path = model == nil ? "/v2/models/stats" : try modelPath(message.name, message.version) + "/stats"
            return try UpstreamJSON.message(from: try await call.send("GET", path))
        }
    }

    public func repositoryIndex(
        request: ServerRequest<Inference_RepositoryIndexRequest>, context: ServerContext
    ) async throws -> ServerResponse<Inference_RepositoryIndexResponse> {
        let message = request.message
        return try await answer("RepositoryIndex", model: nil, request.metadata, context) { call in
            guard message.repositoryName.isEmpty else {
                throw InferenceError.badRequest("repository_name is not supported: this server has one repository")
            }
            let body = Data(message.ready ? #"{"ready":true}"#.utf8 : "{}".utf8)
            let answer = try await call.send(
                "POST", "/v2/repository/index", headers: [(name: "Content-Type", value: "application/json")],
                body: body)
            return try UpstreamJSON.repositoryIndex(from: answer)
        }
    }

    /// Admits the call, runs `body` with what it needs to reach the upstream, and turns every
    /// failure into a gRPC status.
    private func answer<Output: Sendable>(
        _ method: String, model: String?, _ metadata: Metadata, _ context: ServerContext,
        _ body: (UpstreamCall) async throws -> Output
    ) async throws -> ServerResponse<Output> {
        let pairs = GRPCCall.metadataPairs(metadata)
        guard TraceContext.isEnabled else {
            return try await run(method, model: model, pairs, context, body)
        }
        // A server span continuing the client's trace context (or starting one).
        return try await withSpan(
            "grpc " + method, context: TraceContext.extract(from: pairs), ofKind: .server
        ) { span in
            span.attributes["rpc.system"] = "grpc"
            span.attributes["rpc.service"] = "inference.GRPCInferenceService"
            span.attributes["rpc.method"] = method
            if let model { span.attributes[SpanKeys.model] = model }
            return try await run(method, model: model, pairs, context, body)
        }
    }

    /// Gives the call its request id (forwarded upstream, echoed in the answer's or the error's
    /// metadata), admits and runs it, maps every failure to a status, and records the outcome.
    private func run<Output: Sendable>(
        _ method: String, model: String?, _ pairs: [(name: String, value: String)], _ context: ServerContext,
        _ body: (UpstreamCall) async throws -> Output
    ) async throws -> ServerResponse<Output> {
        let start = ContinuousClock.now
        let requestID = RequestID.resolve(pairs.first { $0.name == RequestID.name }?.value)
        let pairs = pairs.filter { $0.name != RequestID.name } + [(name: RequestID.name, value: requestID)]
        let call = GRPCCall(method: method, model: model, metadata: pairs, peer: context.remotePeer)
        var record = GRPCCallObserver.Record(
            method: method, code: nil, duration: .zero, requestID: requestID, model: model, principal: nil,
            peer: context.remotePeer)
        defer {
            record.duration = ContinuousClock.now - start
            observer.record(record)
        }
        let echo: Metadata = [RequestID.name: .string(requestID)]
        do {
            record.principal = try await policy.admit(call)
            let message = try await body(UpstreamCall(upstream: upstream, metadata: pairs))
            return ServerResponse(message: message, metadata: echo)
        } catch {
            var refusal = RPCError(status(for: error, method: method))
            refusal.metadata.add(contentsOf: echo)
            record.code = refusal.code
            throw refusal
        }
    }

    /// The ``InferenceError`` a failure answers with.
    private func status(for error: any Error, method: String) -> InferenceError {
        switch error {
        case let error as InferenceError: return error
        case let error as UpstreamError: return InferenceError(error)
        case is CancellationError:
            return InferenceError.deadlineExceeded("the call was cancelled or its deadline passed")
        default:
            logger.error("grpc.call.failed", metadata: ["grpc.method": "\(method)", "error": "\(error)"])
            return InferenceError.internal("the call failed; see the server's log")
        }
    }

    private func modelPath(_ name: String, _ version: String) throws(InferenceError) -> String {
        guard !name.isEmpty else { throw .badRequest("the model name is required") }
        return KServePath.modelPath(name, version: version.isEmpty ? nil : version)
    }
}
