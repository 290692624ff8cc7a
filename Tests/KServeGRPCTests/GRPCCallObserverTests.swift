import GRPCCore
import Logging
import TestSupport
import Testing

@testable import KServeGRPC

@Suite("gRPC call metrics and access log")
struct GRPCCallObserverTests {
    static func record(
        method: String = "ModelInfer", code: RPCError.Code?, model: String? = "simple", principal: String? = nil
    ) -> GRPCCallObserver.Record {
        GRPCCallObserver.Record(
            method: method, code: code, duration: .microseconds(12_345), requestID: "req-1", model: model,
            principal: principal, peer: "ipv4:127.0.0.1:5000")
    }

    static func dimensions(_ method: String, _ code: String? = nil) -> [(String, String)] {
        [("grpc_service", "inference.GRPCInferenceService"), ("grpc_method", method)]
            + (code.map { [("grpc_code", $0)] } ?? [])
    }

    @Test("each call counts under its method and code; the handling time is per method")
    func series() {
        let factory = RecordingMetricsFactory()
        let observer = GRPCCallObserver(factory: factory)
        observer.record(Self.record(code: nil))
        observer.record(Self.record(code: nil))
        observer.record(Self.record(code: .invalidArgument))
        observer.record(Self.record(method: "ModelMetadata", code: .unauthenticated, model: nil))
        #expect(factory.value("grpc_server_handled_total", Self.dimensions("ModelInfer", "OK")) == 2)
        #expect(factory.value("grpc_server_handled_total", Self.dimensions("ModelInfer", "INVALID_ARGUMENT")) == 1)
        #expect(factory.value("grpc_server_handled_total", Self.dimensions("ModelMetadata", "UNAUTHENTICATED")) == 1)
        #expect(factory.value("grpc_server_handling_seconds", Self.dimensions("ModelInfer")) == 12_345_000)
    }

    @Test("one access line per call with the method, code, duration, request id, model and principal")
    func accessLine() throws {
        let (logger, store) = RecordingLogHandler.logger()
        let observer = GRPCCallObserver(factory: RecordingMetricsFactory(), accessLogger: logger)
        let longName = String(repeating: "m", count: 300)
        observer.record(Self.record(code: .resourceExhausted, model: longName, principal: "team-a"))
        observer.record(Self.record(method: "ServerLive", code: nil, model: nil))
        let lines = store.all
        #expect(lines.map(\.message) == ["grpc.access", "grpc.access"])
        let refused = lines[0].metadata
        #expect(refused["grpc.method"] == "ModelInfer")
        #expect(refused["grpc.code"] == "RESOURCE_EXHAUSTED")
        #expect(refused["duration_ms"] == "12.345")
        #expect(refused["request.id"] == "req-1")
        #expect(refused["model"] == .string(String(repeating: "m", count: 128)))
        #expect(refused["principal"] == "team-a")
        #expect(refused["peer"] == "ipv4:127.0.0.1:5000")
        #expect(lines[1].metadata["grpc.code"] == "OK")
        #expect(lines[1].metadata["model"] == nil && lines[1].metadata["principal"] == nil)
    }

    @Test("codes are named as gRPC names them")
    func codeNames() {
        #expect(GRPCCallObserver.name(of: nil) == "OK")
        #expect(GRPCCallObserver.name(of: .cancelled) == "CANCELLED")
        #expect(GRPCCallObserver.name(of: .internalError) == "INTERNAL")
        #expect(GRPCCallObserver.name(of: .unavailable) == "UNAVAILABLE")
        #expect(GRPCCallObserver.name(of: .unauthenticated) == "UNAUTHENTICATED")
    }
}
