import BatchProtocol
import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import KServeHTTP
import Logging
import PlatformStore

/// The batch API for the gateway: submit, status, results, cancel.
///
/// - `POST /v1/batches`: JSON Lines of items (`Content-Type: application/x-ndjson` or
///   `application/jsonl`, or any body with `?model=`) with `?model=&version=&callback_url=&priority=&completion_window=`,
///   read as a stream: each line is validated and published as it arrives, under
///   `maxBodyBytes` for the body and `maxLineBytes` per line. Or a JSON body `{"model",
///   "version"?, "items": [{"id", "inputs"}], "callback_url"?}` of at most `maxJSONBodyBytes`.
///   Answers 202 `{"job_id", "status", "total"}`.
/// - `GET /v1/batches/{id}`: status, counters, progress, timestamps.
/// - `GET /v1/batches/{id}/results?after=&limit=`: a page of items with output URIs.
/// - `GET /v1/batches/{id}/results/{item_id}`: one succeeded item's output (needs `results`).
/// - `GET /v1/batches/{id}/output` and `/errors`: a finished job's `output.jsonl` and
///   `errors.jsonl`, streamed (needs `results`).
/// - `DELETE /v1/batches/{id}`: cancels; the remaining items are skipped.
///
/// Every route first calls `authorize`, which names the caller or throws (e.g.
/// `InferenceError.forbidden`) to refuse. A job belongs to the caller that submitted it: any
/// other caller, unless it ``BatchCaller/seesAllJobs``, gets 404 for it.
public struct BatchRoutes<Context: RequestContext>: Sendable {
    /// Names the caller of a request; throws to refuse it.
    public typealias Authorize = @Sendable (Request, Context) async throws -> BatchCaller

    let submitter: BatchSubmitter
    let store: BatchJobStore
    let authorize: Authorize
    let admit: BatchAdmission?
    let results: BatchResultReader?
    let maxBodyBytes: Int
    let maxJSONBodyBytes: Int
    let maxLineBytes: Int

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - maxBodyBytes: the largest body, chunked or not (413 above it); the gateway's limit.
    ///   - maxJSONBodyBytes: the largest `{"model", "items"}` JSON body, which is read whole
    ///     (413 above it, pointing at JSON Lines); capped by `maxBodyBytes`.
    ///   - maxLineBytes: the longest JSON Lines line (413 naming the line above it).
    ///   - admit: charged per chunk of items before it is published (see ``BatchAdmission``).
    ///   - results: reads outputs from the worker's bucket; without it the output routes answer 503.
    public init(
        submitter: BatchSubmitter, store: BatchJobStore, maxBodyBytes: Int = 32 << 20,
        maxJSONBodyBytes: Int = 4 << 20, maxLineBytes: Int = 512 << 10, admit: BatchAdmission? = nil,
        results: BatchResultReader? = nil, authorize: @escaping Authorize
    ) {
        self.submitter = submitter
        self.store = store
        self.maxBodyBytes = maxBodyBytes
        self.maxJSONBodyBytes = min(maxJSONBodyBytes, maxBodyBytes)
        self.maxLineBytes = maxLineBytes
        self.admit = admit
        self.results = results
        self.authorize = authorize
    }

    /// Registers the routes on `router`.
    public func register(on router: Router<Context>) {
        router.post("/v1/batches") { request, context in
            let caller = try await authorize(request, context)
            return try await submit(request, context: context, caller: caller)
        }
        router.get("/v1/batches/:id") { request, context in
            let caller = try await authorize(request, context)
            return try await status(try jobID(context), caller: caller)
        }
        router.get("/v1/batches/:id/results") { request, context in
            let caller = try await authorize(request, context)
            return try await results(try jobID(context), request: request, caller: caller)
        }
        router.get("/v1/batches/:id/results/:item") { request, context in
            let caller = try await authorize(request, context)
            return try await itemOutput(
                try jobID(context), itemID: context.parameters.get("item") ?? "", caller: caller)
        }
        router.get("/v1/batches/:id/output") { request, context in
            let caller = try await authorize(request, context)
            return try await resultFile(try jobID(context), file: .output, request: request, caller: caller)
        }
        router.get("/v1/batches/:id/errors") { request, context in
            let caller = try await authorize(request, context)
            return try await resultFile(try jobID(context), file: .errors, request: request, caller: caller)
        }
        router.delete("/v1/batches/:id") { request, context in
            let caller = try await authorize(request, context)
            return try await cancel(try jobID(context), caller: caller)
        }
    }

    private func submit(_ request: Request, context: Context, caller: BatchCaller) async throws -> Response {
        let query = request.uri.queryParameters
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let isJSONLines =
            contentType.contains("ndjson") || contentType.contains("jsonl") || contentType.contains("json-seq")
            || query.get("model") != nil
        do {
            let (jobID, total): (UUID, Int)
            if isJSONLines {
                guard let model = query.get("model"), !model.isEmpty else {
                    throw BatchWorkerError.invalidSubmission("a JSON Lines upload needs ?model=")
                }
                let header = BatchSubmission(
                    model: model, version: query.get("version"), items: [], callbackURL: query.get("callback_url"),
                    priority: try query.get("priority").map(BatchPriority.parse) ?? .normal,
                    completionWindow: try query.get("completion_window").map(BatchCompletionWindow.parse))
                (jobID, total) = try await submitLines(request.body, header: header, caller: caller)
            } else {
                let submission = try BatchSubmission.parseJSON(try await collectJSON(request.body))
                jobID = try await submitter.submit(submission, owner: caller.owner, admit: admit)
                total = submission.items.count
            }
            var headers = HTTPFields()
            headers[.location] = "/v1/batches/\(jobID.uuidString.lowercased())"
            return try BatchHTTP.json(
                SubmitAnswer(jobID: jobID.uuidString.lowercased(), status: "queued", total: total),
                status: .accepted, headers: headers)
        } catch let refusal as BatchAdmissionRefusal {
            return try refused(refusal, request: request, context: context)
        } catch let error as BatchWorkerError where error.isInvalidSubmission {
            throw InferenceError.badRequest(error.reason)
        } catch let error as BatchWorkerError {
            throw InferenceError.unavailable(error.reason)
        }
    }

    /// Reads a JSON body whole, refusing it past ``maxJSONBodyBytes``.
    private func collectJSON(_ body: RequestBody) async throws -> Data {
        try await BatchHTTP.collect(
            body, limit: maxJSONBodyBytes,
            message: "a JSON batch body is limited to \(maxJSONBodyBytes) bytes; "
                + "send larger jobs as JSON Lines (Content-Type: application/x-ndjson, ?model=)")
    }

    /// The 429 for an upload the admission hook stopped part-way: its job runs what was accepted.
    private func refused(_ refusal: BatchAdmissionRefusal, request: Request, context: Context) throws -> Response {
        let id = refusal.jobID.uuidString.lowercased()
        let limit = InferenceError.rateLimited(
            message: "rate limit reached", retryAfter: (refusal.reason as? InferenceError)?.retryAfter ?? .seconds(1))
        var headers = try limit.response(from: request, context: context).headers
        headers[.location] = "/v1/batches/\(id)"
        let answer = RefusedAnswer(
            error: "rate limit reached after \(refusal.accepted) items: job \(id) runs those items; "
                + "submit the rest as a new job after Retry-After",
            jobID: id, accepted: refusal.accepted)
        let body = try BatchJSON.encoder.encode(answer)
        return Response(
            status: .tooManyRequests, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func status(_ id: UUID, caller: BatchCaller) async throws -> Response {
        guard let job = try await store.job(id, visibleTo: caller.access) else { throw Self.notFound(id) }
        let callback = try await store.callbackOutbox.delivery(jobID: id)
        return try BatchHTTP.json(JobAnswer(job, callback: callback), status: .ok)
    }

    private func results(_ id: UUID, request: Request, caller: BatchCaller) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = query.get("limit").flatMap { Int($0) } ?? 100
        guard (1...1000).contains(limit) else { throw InferenceError.badRequest("limit must be between 1 and 1000") }
        guard try await store.job(id, visibleTo: caller.access) != nil else { throw Self.notFound(id) }
        let page = try await store.items(jobID: id, visibleTo: caller.access, after: query.get("after"), limit: limit)
        return try BatchHTTP.json(
            ResultsAnswer(
                jobID: id.uuidString.lowercased(), items: page.items.map(ResultsAnswer.Item.init),
                nextCursor: page.nextCursor),
            status: .ok)
    }

    private func cancel(_ id: UUID, caller: BatchCaller) async throws -> Response {
        switch try await store.cancel(id, visibleTo: caller.access) {
        case .cancelled:
            return try BatchHTTP.json(CancelAnswer(jobID: id.uuidString.lowercased(), status: "cancelled"), status: .ok)
        case .alreadyFinished(let status):
            return try BatchHTTP.json(
                InferenceErrorBody(error: "batch job \(id) already finished: \(status.rawValue)"), status: .conflict)
        case .notFound:
            throw Self.notFound(id)
        }
    }

    /// The same answer for a job that does not exist and one the caller may not see.
    static func notFound(_ id: UUID) -> InferenceError {
        InferenceError.notFound("no batch job \(id.uuidString.lowercased())")
    }

    func jobID(_ context: Context) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw InferenceError.badRequest("a batch job id is a UUID")
        }
        return id
    }
}
