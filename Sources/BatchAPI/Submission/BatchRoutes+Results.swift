import BatchProtocol
import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import ObjectStore
import PlatformStore

/// A finished job's result files.
enum BatchResultFile {
    /// `output.jsonl`: every succeeded item's output, in input order.
    case output
    /// `errors.jsonl`: every failed or skipped item with its code and message.
    case errors
}

extension BatchRoutes {
    /// Streams the file; a `Range: bytes=first-[last]` header gets 206 with those bytes (downloads
    /// resume and show progress), an unsatisfiable one 416.
    func resultFile(_ id: UUID, file: BatchResultFile, request: Request, caller: BatchCaller) async throws
        -> Response
    {
        let reader = try resultReader()
        var range: BatchByteRange?
        if let header = request.headers[.range] {
            guard let parsed = BatchByteRange(header: header) else {
                throw InferenceError.badRequest("Range must be one range of bytes: bytes=FIRST-[LAST]")
            }
            range = parsed
        }
        guard let job = try await store.job(id, visibleTo: caller.access) else { throw Self.notFound(id) }
        guard let key = file == .output ? job.outputFileKey : job.errorFileKey else {
            return try notReady(job)
        }
        var headers = HTTPFields()
        headers[.acceptRanges] = "bytes"
        let streamed: (body: ResponseBody, bytes: Range<Int>, size: Int)
        do {
            streamed = try await BatchHTTP.objectStore { try await reader.stream(key: key, range: range) }
        } catch let refusal as BatchByteRange.Unsatisfiable {
            headers[.contentRange] = "bytes */\(refusal.size)"
            var response = try BatchHTTP.json(
                InferenceErrorBody(error: "the range starts past the file's \(refusal.size) bytes"),
                status: .rangeNotSatisfiable)
            response.headers.append(contentsOf: headers)
            return response
        }
        headers[.contentType] = "application/x-ndjson"
        headers[.contentDisposition] = "attachment; filename=\"\(file == .output ? "output" : "errors").jsonl\""
        guard range != nil else { return Response(status: .ok, headers: headers, body: streamed.body) }
        let last = streamed.bytes.isEmpty ? streamed.bytes.lowerBound : streamed.bytes.upperBound - 1
        headers[.contentRange] = "bytes \(streamed.bytes.lowerBound)-\(last)/\(streamed.size)"
        return Response(status: .partialContent, headers: headers, body: streamed.body)
    }

    func itemOutput(_ id: UUID, itemID: String, caller: BatchCaller) async throws -> Response {
        let reader = try resultReader()
        guard BatchNaming.isValidItemID(itemID) else {
            throw InferenceError.badRequest("an item id is 1 to \(BatchNaming.maxItemIDLength) name characters")
        }
        guard try await store.job(id, visibleTo: caller.access) != nil else { throw Self.notFound(id) }
        guard let item = try await store.item(jobID: id, itemID: itemID) else {
            throw InferenceError.notFound("no item \(itemID) recorded in batch job \(id.uuidString.lowercased())")
        }
        guard item.status == .succeeded else {
            let reason = item.error.map { ": \($0)" } ?? ""
            return try BatchHTTP.json(
                InferenceErrorBody(error: "item \(itemID) has no output, it is \(item.status.rawValue)\(reason)"),
                status: .conflict)
        }
        let line = try await BatchHTTP.objectStore { try await reader.output(of: item) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: line)))
    }

    private func resultReader() throws -> BatchResultReader {
        guard let results else {
            throw InferenceError.unavailable("batch outputs cannot be read: the gateway has no object store configured")
        }
        return results
    }

    private func notReady(_ job: BatchJob) throws -> Response {
        let state =
            job.status.isFinal
            ? "\(job.status.rawValue) without result files"
            : "\(job.status.rawValue); result files are written when it completes"
        return try BatchHTTP.json(
            InferenceErrorBody(error: "batch job \(job.id.uuidString.lowercased()) is \(state)"), status: .conflict)
    }
}
