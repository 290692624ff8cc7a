import BatchProtocol
import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import PlatformStore
import UploadFormats

/// The OpenAI Batch API over the platform's batch jobs, under `/openai/v1` (the `base_url` of the
/// stock `openai` SDK): files (`POST /files`, `GET /files/{id}`, `GET /files/{id}/content`) and
/// batches (`POST /batches`, `GET /batches`, `GET /batches/{id}`, `POST /batches/{id}/cancel`).
///
/// A batch's input file holds one request per line,
/// `{"custom_id", "method": "POST", "url": "/v2/models/{m}[/versions/{v}]/infer", "body"}`, and
/// becomes a job whose items are the valid lines (models may differ per line); the others are
/// answered in the batch's error file. Files and jobs belong to their uploader as in the native
/// API: another principal gets 404.
public struct OpenAIBatchRoutes<Context: RequestContext>: Sendable {
    let submitter: BatchSubmitter
    let store: BatchJobStore
    let results: BatchResultReader
    let admit: BatchAdmission?
    let maxFileBytes: Int
    let authorize: BatchRoutes<Context>.Authorize

    /// Creates the routes; `maxFileBytes` bounds an uploaded file (413 above it).
    public init(
        submitter: BatchSubmitter, store: BatchJobStore, results: BatchResultReader, maxFileBytes: Int = 32 << 20,
        admit: BatchAdmission? = nil, authorize: @escaping BatchRoutes<Context>.Authorize
    ) {
        self.submitter = submitter
        self.store = store
        self.results = results
        self.maxFileBytes = maxFileBytes
        self.admit = admit
        self.authorize = authorize
    }

    /// Registers the routes on `router`.
    public func register(on router: Router<Context>) {
        let base = "/openai/v1"
        router.post("\(base)/files") { request, context in
            try await upload(request, caller: try await authorize(request, context))
        }
        router.get("\(base)/files/:id") { request, context in
            try await fileObject(id(context), caller: try await authorize(request, context))
        }
        router.get("\(base)/files/:id/content") { request, context in
            try await fileContent(id(context), caller: try await authorize(request, context))
        }
        router.post("\(base)/batches") { request, context in
            try await createBatch(request, caller: try await authorize(request, context))
        }
        router.get("\(base)/batches") { request, context in
            try await listBatches(request, caller: try await authorize(request, context))
        }
        router.get("\(base)/batches/:id") { request, context in
            try await batchObject(id(context), caller: try await authorize(request, context))
        }
        router.post("\(base)/batches/:id/cancel") { request, context in
            try await cancelBatch(id(context), caller: try await authorize(request, context))
        }
    }

    // MARK: Files

    private func upload(_ request: Request, caller: BatchCaller) async throws -> Response {
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = MultipartImage.boundary(in: contentType) else {
            throw InferenceError.badRequest("upload the file as multipart/form-data with fields purpose and file")
        }
        let body = try await BatchHTTP.collect(
            request.body, limit: maxFileBytes + 64 << 10, message: "a file is limited to \(maxFileBytes) bytes")
        let parts = MultipartImage.parts(of: body, boundary: boundary)
        guard
            let purpose = parts.first(where: { $0.name == "purpose" }).map({
                String(decoding: $0.content, as: UTF8.self)
            })
        else { throw InferenceError.badRequest("the form needs a purpose field") }
        guard purpose.trimmingCharacters(in: .whitespacesAndNewlines) == "batch" else {
            throw InferenceError.badRequest("purpose must be batch")
        }
        guard let file = parts.first(where: { $0.name == "file" }) else {
            throw InferenceError.badRequest("the form needs a file field")
        }
        guard file.content.count <= maxFileBytes else {
            throw HTTPError(.contentTooLarge, message: "a file is limited to \(maxFileBytes) bytes")
        }
        let id = OpenAIID.newFile()
        let key = "openai/files/\(id)"
        try await BatchHTTP.objectStore {
            try await results.objects.put(key: key, body: file.content, contentType: "application/jsonl")
        }
        let record = BatchFile(
            id: id, owner: caller.owner, purpose: "batch", filename: file.filename ?? "upload.jsonl",
            bytes: file.content.count, objectKey: key)
        try await store.createFile(record)
        return try BatchHTTP.json(OpenAIFileObject(record))
    }

    private func fileObject(_ id: String, caller: BatchCaller) async throws -> Response {
        if let (job, file) = OpenAIID.resultFile(id) {
            let (stored, _) = try await resultJob(job, caller: caller)
            guard let key = file == .output ? stored.outputFileKey : stored.errorFileKey else {
                throw InferenceError.notFound("no file \(id)")
            }
            let size = try await BatchHTTP.objectStore { try await results.objects.head(key: key)?.size } ?? 0
            return try BatchHTTP.json(
                OpenAIFileObject(
                    id: id, bytes: size, createdAt: stored.updatedAt,
                    filename: file == .output ? "output.jsonl" : "errors.jsonl", purpose: "batch_output"))
        }
        guard let file = try await store.file(id, visibleTo: caller.access) else {
            throw InferenceError.notFound("no file \(id)")
        }
        return try BatchHTTP.json(OpenAIFileObject(file))
    }

    private func fileContent(_ id: String, caller: BatchCaller) async throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/jsonl"
        if let (jobID, file) = OpenAIID.resultFile(id) {
            let (job, record) = try await resultJob(jobID, caller: caller)
            guard let output = job.outputFileKey, let errors = job.errorFileKey else {
                throw InferenceError.notFound("no file \(id): the batch has not completed")
            }
            let body: ResponseBody
            switch file {
            case .output:
                body = results.streamLines(keys: [output]) { line, index in
                    try OpenAIBatchLines.outputLine(native: line, index: index, job: jobID)
                }
            case .errors:
                // Lines refused at creation (already in this shape), then the items that failed.
                let refused = record.inputErrorKey == nil ? 0 : record.inputErrors
                let keys = [record.inputErrorKey, errors].compactMap { $0 }
                body = results.streamLines(keys: keys) { line, index in
                    guard index >= refused else { return line + [UInt8(ascii: "\n")] }
                    return try OpenAIBatchLines.errorLine(native: line, index: index, job: jobID)
                }
            }
            return Response(status: .ok, headers: headers, body: body)
        }
        guard let file = try await store.file(id, visibleTo: caller.access) else {
            throw InferenceError.notFound("no file \(id)")
        }
        let (body, _, _) = try await BatchHTTP.objectStore { try await results.stream(key: file.objectKey, range: nil) }
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Batches

    private func createBatch(_ request: Request, caller: BatchCaller) async throws -> Response {
        let body = try await BatchHTTP.collect(
            request.body, limit: 64 << 10, message: "a batch request is limited to \(64 << 10) bytes")
        let create: CreateBatch
        do {
            create = try JSONDecoder().decode(CreateBatch.self, from: body)
        } catch {
            throw InferenceError.badRequest(
                "the body must be {\"input_file_id\", \"endpoint\", \"completion_window\", \"metadata\"?}")
        }
        guard create.endpoint == OpenAIBatchLines.endpoint else {
            throw InferenceError.badRequest(
                "endpoint must be \(OpenAIBatchLines.endpoint) (each line's url names its model)")
        }
        let window: Duration
        do {
            window = try BatchCompletionWindow.parse(create.completionWindow)
        } catch {
            throw InferenceError.badRequest(error.reason)
        }
        if let metadata = create.metadata,
            metadata.count > 16 || metadata.contains(where: { $0.key.count > 64 || $0.value.count > 512 })
        {
            throw InferenceError.badRequest(
                "metadata holds at most 16 pairs, keys up to 64 and values up to 512 characters")
        }
        guard let file = try await store.file(create.inputFileID, visibleTo: caller.access) else {
            throw InferenceError.notFound("no file \(create.inputFileID)")
        }
        let input = try await BatchHTTP.objectStore { try await results.objects.get(key: file.objectKey) }
        let jobID = try await submit(input, caller: caller, create: create, window: window)
        guard let job = try await store.job(jobID), let record = try await store.openAIBatch(jobID) else {
            throw InferenceError.internal("the batch was created but cannot be read back")
        }
        return try BatchHTTP.json(OpenAIBatchObject(job: job, record: record))
    }

    /// Publishes the valid lines of `input` as one job and records its OpenAI fields and the
    /// errors of the other lines; returns the job.
    private func submit(_ input: Data, caller: BatchCaller, create: CreateBatch, window: Duration) async throws -> UUID
    {
        var items: [(line: Int, item: BatchSubmission.Item)] = []
        var errors: [(line: Int, error: OpenAIBatchLines.LineError)] = []
        var seen = Set<String>()
        var lineNumber = 0
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard
                line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }
                )
            else { continue }
            switch OpenAIBatchLines.item(from: Data(line)) {
            case .success(let item) where !seen.insert(item.id).inserted:
                errors.append((lineNumber, .init(customID: item.id, message: "custom_id appears more than once")))
            case .success(let item): items.append((lineNumber, item))
            case .failure(let error): errors.append((lineNumber, error))
            }
        }
        guard let first = items.first?.item else {
            let reason = errors.first.map { "line \($0.line): \($0.error.message)" } ?? "the file has no lines"
            throw InferenceError.badRequest("no line of the input file is a valid request: \(reason)")
        }
        let header = BatchSubmission(model: first.model ?? "", version: nil, items: [], completionWindow: window)
        var intake = try submitter.intake(for: header, owner: caller.owner, admit: admit)
        do {
            for (line, item) in items { try await intake.add(item, label: "line \(line)") }
            _ = try await intake.finish()
        } catch let refusal as BatchAdmissionRefusal {
            await intake.abandon(reason: "rate limit reached while the batch was created")
            throw (refusal.reason as? InferenceError) ?? InferenceError.rateLimited(message: "rate limit reached")
        } catch let error as BatchWorkerError where error.isInvalidSubmission {
            await intake.abandon(reason: error.reason)
            throw InferenceError.badRequest(error.reason)
        } catch let error as BatchWorkerError {
            throw InferenceError.unavailable(error.reason)
        }
        var errorKey: String?
        if !errors.isEmpty {
            var body = Data()
            for (line, error) in errors {
                body.append(try OpenAIBatchLines.inputErrorLine(error, line: line, job: intake.jobID))
            }
            let key = "openai/batches/\(intake.jobID.uuidString.lowercased())/input-errors.jsonl"
            try await BatchHTTP.objectStore {
                try await results.objects.put(key: key, body: body, contentType: "application/jsonl")
            }
            errorKey = key
        }
        let metadata = try create.metadata.map { String(decoding: try BatchJSON.encoder.encode($0), as: UTF8.self) }
        try await store.createOpenAIBatch(
            OpenAIBatchRecord(
                jobID: intake.jobID, inputFileID: create.inputFileID, endpoint: create.endpoint,
                completionWindow: create.completionWindow, metadata: metadata, inputErrors: errors.count,
                inputErrorKey: errorKey))
        return intake.jobID
    }

    private func batchObject(_ id: String, caller: BatchCaller) async throws -> Response {
        let (job, record) = try await openAIJob(id, caller: caller)
        return try BatchHTTP.json(OpenAIBatchObject(job: job, record: record))
    }

    private func cancelBatch(_ id: String, caller: BatchCaller) async throws -> Response {
        let (job, _) = try await openAIJob(id, caller: caller)
        _ = try await store.cancel(job.id, visibleTo: caller.access)
        return try await batchObject(id, caller: caller)
    }

    private func listBatches(_ request: Request, caller: BatchCaller) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = query.get("limit").flatMap { Int($0) } ?? 20
        guard (1...100).contains(limit) else { throw InferenceError.badRequest("limit must be between 1 and 100") }
        var after: UUID?
        if let text = query.get("after") {
            guard let job = OpenAIID.job(ofBatch: text) else {
                throw InferenceError.badRequest("after must be a batch id")
            }
            after = job
        }
        let page = try await store.openAIBatches(visibleTo: caller.access, before: after, limit: limit + 1)
        let objects = page.prefix(limit).map { OpenAIBatchObject(job: $0.0, record: $0.1) }
        return try BatchHTTP.json(
            OpenAIList(data: objects, firstID: objects.first?.id, lastID: objects.last?.id, hasMore: page.count > limit)
        )
    }

    /// The job and OpenAI fields of `batch_…` `id`, when `caller` may see them.
    private func openAIJob(_ id: String, caller: BatchCaller) async throws -> (BatchJob, OpenAIBatchRecord) {
        guard let jobID = OpenAIID.job(ofBatch: id) else { throw InferenceError.notFound("no batch \(id)") }
        return try await resultJob(jobID, caller: caller)
    }

    private func resultJob(_ jobID: UUID, caller: BatchCaller) async throws -> (BatchJob, OpenAIBatchRecord) {
        guard let job = try await store.job(jobID, visibleTo: caller.access),
            let record = try await store.openAIBatch(jobID)
        else { throw InferenceError.notFound("no batch \(OpenAIID.batch(jobID))") }
        return (job, record)
    }

    // MARK: Helpers

    private func id(_ context: Context) throws -> String {
        guard let id = context.parameters.get("id"), id.utf8.count <= 128 else {
            throw InferenceError.badRequest("an id is required")
        }
        return id
    }

    /// `POST /batches`' body.
    struct CreateBatch: Decodable {
        var inputFileID: String
        var endpoint: String
        var completionWindow: String
        var metadata: [String: String]?

        enum CodingKeys: String, CodingKey {
            case inputFileID = "input_file_id"
            case endpoint
            case completionWindow = "completion_window"
            case metadata
        }
    }
}
