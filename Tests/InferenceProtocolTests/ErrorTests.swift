import Foundation
import InferenceProtocol
import Testing

@Suite("Errors")
struct ErrorTests {
    @Test(
        "each InferenceError code maps to its HTTP status and label-safe name",
        arguments: [
            (InferenceError.badRequest("b"), 400, "bad_request"),
            (.unauthenticated("u"), 401, "unauthenticated"),
            (.forbidden("f"), 403, "forbidden"),
            (.notFound("n"), 404, "not_found"),
            (.rateLimited(message: "r", retryAfter: .seconds(2)), 429, "rate_limited"),
            (.overloaded(message: "o", retryAfter: .milliseconds(1500)), 429, "overloaded"),
            (.deadlineExceeded("d"), 504, "deadline_exceeded"),
            (.unavailable("u"), 503, "unavailable"),
            (.upstream(status: 503, message: "x"), 503, "upstream"),
            (.upstream(status: 400, message: "x"), 400, "upstream"),
            (.upstream(status: 200, message: "x"), 502, "upstream"),
            (.upstream(status: 700, message: "x"), 502, "upstream"),
            (.internal("i"), 500, "internal"),
        ])
    func statusMapping(error: InferenceError, status: Int, name: String) {
        #expect(error.httpStatus == status)
        #expect(error.name == name)
        #expect(error.name.allSatisfy { $0.isLowercase || $0 == "_" })
    }

    @Test("codes compare by kind; the message becomes the KServe error body")
    func codesAndBody() throws {
        let error = InferenceError.overloaded(message: "queue full", retryAfter: .milliseconds(1500))
        #expect(error.code == .overloaded)
        #expect(error.code != .rateLimited)
        #expect(error.retryAfterHeaderValue == "2", "rounded up to whole seconds")
        #expect(
            InferenceError.rateLimited(message: "slow down", retryAfter: .milliseconds(10)).retryAfterHeaderValue == "1"
        )
        #expect(InferenceError.badRequest("x").retryAfterHeaderValue == nil)
        let body = try JSONEncoder().encode(error.body)
        #expect(String(decoding: body, as: UTF8.self) == #"{"error":"queue full"}"#)
        #expect(
            try JSONDecoder().decode(InferenceErrorBody.self, from: body) == InferenceErrorBody(error: "queue full"))
        #expect(error.description == "overloaded: queue full")
        #expect(InferenceError.upstream(status: 500, message: "boom").description == "upstream (HTTP 500): boom")
    }

    @Test("a protocol error becomes a bad request with the same message")
    func protocolToInference() throws {
        let protocolError = try #require(throws: InferenceProtocolError.self) {
            try InferenceCodec.decodeRequest(Data("{".utf8), jsonHeaderLength: nil)
        }
        #expect(protocolError.name == "malformed_json")
        #expect(protocolError.description == "malformed JSON at byte 1: unexpected end of input, expected a string key")
        let error = InferenceError(protocolError)
        #expect(error.httpStatus == 400)
        #expect(error.message == protocolError.message)
    }
}
