import GRPCCore
import GRPCProtobuf
import InferenceProtocol
import Testing

@testable import KServeGRPC

@Suite("gRPC statuses and deadlines")
struct GRPCStatusTests {
    @Test(
        "each platform error maps to its gRPC code",
        arguments: [
            (InferenceError.badRequest("x"), RPCError.Code.invalidArgument),
            (.unauthenticated("x"), .unauthenticated),
            (.forbidden("x"), .permissionDenied),
            (.notFound("x"), .notFound),
            (.rateLimited(message: "x"), .resourceExhausted),
            (.overloaded(message: "x"), .resourceExhausted),
            (.deadlineExceeded("x"), .deadlineExceeded),
            (.unavailable("x"), .unavailable),
            (.upstream(status: 400, message: "x"), .invalidArgument),
            (.upstream(status: 500, message: "x"), .internalError),
            (.upstream(status: 502, message: "x"), .unavailable),
            (.internal("x"), .internalError),
        ])
    func codes(error: InferenceError, code: RPCError.Code) {
        #expect(RPCError(error).code == code)
        #expect(RPCError(error).message == "x")
    }

    @Test("a rate limit carries RetryInfo and retry-after in whole seconds, rounded up")
    func retryInfo() throws {
        let error = RPCError(InferenceError.rateLimited(message: "slow down", retryAfter: .milliseconds(1500)))
        #expect(error.metadata[stringValues: "retry-after"].first { _ in true } == "2")
        let status = try #require(try error.unpackGoogleRPCStatus())
        #expect(status.details.first?.retryInfo?.delay == .milliseconds(1500))
        #expect(RPCError(InferenceError.badRequest("x")).metadata.isEmpty)
    }

    @Test(
        "grpc-timeout values become durations, capped at 10 minutes; malformed ones are ignored",
        arguments: [
            ("250m", Duration?.some(.milliseconds(250))), ("2S", .seconds(2)), ("1H", .seconds(600)),
            ("5000000u", .seconds(5)), ("7n", .nanoseconds(7)), ("3M", .seconds(180)), ("", nil), ("m", nil),
            ("12x", nil), ("-5S", nil), ("123456789S", nil),
        ])
    func timeouts(value: String, expected: Duration?) {
        #expect(GRPCTimeout.duration(value) == expected)
    }
}
