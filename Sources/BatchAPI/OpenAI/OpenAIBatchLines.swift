import BatchProtocol
import Foundation
import InferenceProtocol

/// The lines of the OpenAI batch shape: input lines
/// `{"custom_id", "method": "POST", "url": "/v2/models/{m}[/versions/{v}]/infer", "body": {v2 request}}`
/// and the output and error lines `{"id", "custom_id", "response", "error"}` made from the
/// worker's result files.
enum OpenAIBatchLines {
    /// The one `endpoint` a batch may name: every line calls a KServe v2 `infer` URL.
    static let endpoint = "/v2/infer"

    /// Reads one input line into an item (its id the line's `custom_id`); the error says what is
    /// wrong and carries the `custom_id` when it could be read.
    static func item(from line: Data) -> Result<BatchSubmission.Item, LineError> {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            return .failure(LineError(customID: nil, message: "the line is not a JSON object"))
        }
        guard let customID = object["custom_id"] as? String, !customID.isEmpty else {
            return .failure(LineError(customID: nil, message: "custom_id must be a non-empty string"))
        }
        func failure(_ message: String) -> Result<BatchSubmission.Item, LineError> {
            .failure(LineError(customID: customID, message: message))
        }
        guard BatchNaming.isValidItemID(customID), customID != BatchNaming.reservedItemID else {
            return failure(
                "custom_id must be 1 to \(BatchNaming.maxItemIDLength) characters of letters, digits, '.', '_', '-' "
                    + "or ':', not starting with '.'")
        }
        guard (object["method"] as? String)?.uppercased() == "POST" else { return failure("method must be POST") }
        guard let url = object["url"] as? String, let (model, version) = modelAndVersion(inURL: url) else {
            return failure("url must be /v2/models/{model}[/versions/{version}]/infer")
        }
        guard let body = object["body"] as? [String: Any],
            let bodyBytes = try? JSONSerialization.data(withJSONObject: body)
        else { return failure("body must be a KServe v2 inference request object") }
        do {
            var request = try InferenceCodec.decodeRequest(bodyBytes, jsonHeaderLength: nil)
            try request.validate()
            _ = try BatchInputEncoding.decoded(request)
            request.id = nil
            return .success(BatchSubmission.Item(id: customID, request: request, model: model, version: version))
        } catch let error as InferenceProtocolError {
            return failure("body: \(error.message)")
        } catch {
            return failure("body cannot be read")
        }
    }

    /// `(model, version)` of `/v2/models/{m}[/versions/{v}]/infer`.
    static func modelAndVersion(inURL url: String) -> (String, String?)? {
        let parts = url.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[0].isEmpty, parts[1] == "v2", parts[2] == "models", parts.last == "infer" else {
            return nil
        }
        let model = String(parts[3])
        guard !model.isEmpty, BatchFieldRules.nameProblem(model, field: "model") == nil else { return nil }
        switch parts.count {
        case 5: return (model, nil)
        case 7 where parts[4] == "versions" && !parts[5].isEmpty: return (model, String(parts[5]))
        default: return nil
        }
    }

    /// Why an input line did not become an item.
    struct LineError: Error {
        var customID: String?
        var message: String
    }

    /// An error-file line for an input line that did not become an item.
    static func inputErrorLine(_ error: LineError, line: Int, job: UUID) throws -> Data {
        try encodeLine(
            ResultLine(
                id: requestID(job: job, index: line), customID: error.customID, response: nil,
                error: .init(code: "invalid_request", message: "line \(line): \(error.message)")))
    }

    /// The OpenAI output line of one line of the worker's `output.jsonl` (a KServe v2 response
    /// whose `id` is the item id).
    static func outputLine(native: Data, index: Int, job: UUID) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: native) as? [String: Any]
        let customID = object?["id"] as? String
        var line = Data(#"{"id":"#.utf8)
        line.append(try BatchJSON.encoder.encode(requestID(job: job, index: index)))
        line.append(Data(#","custom_id":"#.utf8))
        line.append(try BatchJSON.encoder.encode(customID))
        line.append(Data(#","response":{"status_code":200,"request_id":"#.utf8))
        line.append(try BatchJSON.encoder.encode(customID))
        line.append(Data(#","body":"#.utf8))
        line.append(native)
        line.append(Data(#"},"error":null}"#.utf8))
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The OpenAI error line of one line of the worker's `errors.jsonl`.
    static func errorLine(native: Data, index: Int, job: UUID) throws -> Data {
        let failure = try JSONDecoder().decode(BatchErrorLine.self, from: native)
        return try encodeLine(
            ResultLine(
                id: requestID(job: job, index: index), customID: failure.itemID, response: nil,
                error: .init(code: failure.error.code, message: failure.error.message)))
    }

    private static func requestID(job: UUID, index: Int) -> String {
        "batch_req_\(job.uuidString.lowercased().prefix(8))_\(index)"
    }

    private static func encodeLine(_ line: ResultLine) throws -> Data {
        var data = try BatchJSON.encoder.encode(line)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// A line of an error file: `response` is always null there.
    private struct ResultLine: Encodable {
        struct Failure: Encodable {
            var code: String
            var message: String
        }

        var id: String
        var customID: String?
        var response: String?
        var error: Failure

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(customID, forKey: .customID)
            try container.encodeNil(forKey: .response)
            try container.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey {
            case id, response, error
            case customID = "custom_id"
        }
    }
}
