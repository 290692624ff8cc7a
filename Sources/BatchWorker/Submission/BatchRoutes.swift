import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeHTTP
import Logging
import PlatformStore

/// The batch API for the gateway: submit, status, results, cancel.
///
/// - `POST /v1/batches`: a JSON body `{"model", "version"?, "items": [{"id", "inputs"}],
///   "callback_url"?}`, or JSON Lines of items (`Content-Type: application/x-ndjson` or
///   `application/jsonl`, or any body with `?model=`) with `?model=&version=&callback_url=`;
///   answers 202 `{"job_id"}`.
/// - `GET /v1/batches/{id}`: status, counters, progress, timestamps.
/// - `GET /v1/batches/{id}/results?after=&limit=`: a page of items with output URIs.
/// - `DELETE /v1/batches/{id}`: cancels; the remaining items are skipped.
///
/// Every route first calls `authorize`, which throws (e.g. `InferenceError.forbidden`) to refuse.
public struct BatchRoutes<Context: RequestContext>: Sendable {
    /// Decides whether a request may use the batch API; throws to refuse it.
    public typealias Authorize = @Sendable (Request, Context) async throws -> Void

    private let submitter: BatchSubmitter
    private let store: BatchJobStore
    private let authorize: Authorize
    private let maxBodyBytes: Int

    /// Creates the routes; bodies above `maxBodyBytes` get 413.
    public init(
        submitter: BatchSubmitter, store: BatchJobStore, maxBodyBytes: Int = 256 << 20,
        authorize: @escaping Authorize
    ) {
        self.submitter = submitter
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.authorize = authorize
    }

    /// Registers the routes on `router`.
    public func register(on router: Router<Context>) {
        router.post("/v1/batches") { request, context in
            try await authorize(request, context)
            return try await submit(request)
        }
        router.get("/v1/batches/:id") { request, context in
            try await authorize(request, context)
            return try await status(try jobID(context))
        }
        router.get("/v1/batches/:id/results") { request, context in
            try await authorize(request, context)
            return try await results(try jobID(context), request: request)
        }
        router.delete("/v1/batches/:id") { request, context in
            try await authorize(request, context)
            return try await cancel(try jobID(context))
        }
    }

    private func submit(_ request: Request) async throws -> Response {
        let body = Data(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        let query = request.uri.queryParameters
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let isJSONLines =
            contentType.contains("ndjson") || contentType.contains("jsonl") || contentType.contains("json-seq")
            || query.get("model") != nil
        let submission: BatchSubmission
        do {
            if isJSONLines {
                guard let model = query.get("model"), !model.isEmpty else {
                    throw BatchWorkerError.invalidSubmission("a JSON Lines upload needs ?model=")
                }
                submission = try BatchSubmission.parseJSONLines(
                    body, model: model, version: query.get("version"), callbackURL: query.get("callback_url"))
            } else {
                submission = try BatchSubmission.parseJSON(body)
            }
            let jobID = try await submitter.submit(submission)
            var headers = HTTPFields()
            headers[.location] = "/v1/batches/\(jobID.uuidString.lowercased())"
            return try Self.json(
                SubmitAnswer(jobID: jobID.uuidString.lowercased(), status: "queued", total: submission.items.count),
                status: .accepted, headers: headers)
        } catch let error as BatchWorkerError where error.isInvalidSubmission {
            throw InferenceError.badRequest(error.reason)
        } catch let error as BatchWorkerError {
            throw InferenceError.unavailable(error.reason)
        }
    }

    private func status(_ id: UUID) async throws -> Response {
        guard let job = try await store.job(id) else { throw InferenceError.notFound("no batch job \(id)") }
        return try Self.json(JobAnswer(job), status: .ok)
    }

    private func results(_ id: UUID, request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = query.get("limit").flatMap { Int($0) } ?? 100
        guard (1...1000).contains(limit) else { throw InferenceError.badRequest("limit must be between 1 and 1000") }
        guard try await store.job(id) != nil else { throw InferenceError.notFound("no batch job \(id)") }
        let page = try await store.items(jobID: id, after: query.get("after"), limit: limit)
        return try Self.json(
            ResultsAnswer(
                jobID: id.uuidString.lowercased(), items: page.items.map(ResultsAnswer.Item.init),
                nextCursor: page.nextCursor),
            status: .ok)
    }

    private func cancel(_ id: UUID) async throws -> Response {
        switch try await store.cancel(id) {
        case .cancelled:
            return try Self.json(CancelAnswer(jobID: id.uuidString.lowercased(), status: "cancelled"), status: .ok)
        case .alreadyFinished(let status):
            return try Self.json(
                InferenceErrorBody(error: "batch job \(id) already finished: \(status.rawValue)"), status: .conflict)
        case .notFound:
            throw InferenceError.notFound("no batch job \(id)")
        }
    }

    private func jobID(_ context: Context) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw InferenceError.badRequest("a batch job id is a UUID")
        }
        return id
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws
        -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        let body = try BatchJSON.encoder.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
