import GRPCCore
import InferenceProtocol
import Logging
import Metrics
import Synchronization

/// What an operator sees of each gRPC inference call, as HTTP requests are seen: the series
/// below and, when an access logger is given, one `grpc.access` line per call.
///
/// - `grpc_server_handled_total{grpc_service, grpc_method, grpc_code}`
/// - `grpc_server_handling_seconds{grpc_service, grpc_method}`
///
/// Methods and codes are fixed sets, so clients cannot grow the label set.
public final class GRPCCallObserver: Sendable {
    /// One finished call.
    public struct Record: Sendable {
        /// The method's name, e.g. `ModelInfer`.
        public var method: String
        /// The call's status (`nil` for OK).
        public var code: RPCError.Code?
        /// From the call's start to its answer.
        public var duration: Duration
        /// The request id given to the call.
        public var requestID: String
        /// The model the call named, if any (cut to 128 characters in the log).
        public var model: String?
        /// Who was admitted, when the policy authenticates.
        public var principal: String?
        /// The client's address as the transport reports it.
        public var peer: String
    }

    private struct SeriesKey: Hashable {
        var method: String
        var code: String
    }

    private struct Series {
        var handled: Counter
        var handling: Timer
    }

    static let service = "inference.GRPCInferenceService"
    private let factory: any MetricsFactory
    private let accessLogger: Logger?
    private let series = Mutex<[SeriesKey: Series]>([:])

    /// Records series through `factory` and, with `accessLogger`, writes one line per call.
    public init(factory: any MetricsFactory = MetricsSystem.factory, accessLogger: Logger? = nil) {
        self.factory = factory
        self.accessLogger = accessLogger
    }

    /// Records one finished call.
    public func record(_ call: Record) {
        let code = Self.name(of: call.code)
        let key = SeriesKey(method: call.method, code: code)
        let entry = series.withLock { series in
            if let existing = series[key] { return existing }
            let method = [("grpc_service", Self.service), ("grpc_method", call.method)]
            let created = Series(
                handled: Counter(
                    label: "grpc_server_handled_total", dimensions: method + [("grpc_code", code)], factory: factory),
                handling: Timer(label: "grpc_server_handling_seconds", dimensions: method, factory: factory))
            series[key] = created
            return created
        }
        entry.handled.increment()
        let (seconds, attoseconds) = call.duration.components
        entry.handling.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        guard let accessLogger else { return }
        var metadata: Logger.Metadata = [
            "grpc.method": .string(call.method),
            "grpc.code": .string(code),
            "duration_ms": .string(call.duration.millisecondsText),
            "request.id": .string(call.requestID),
            "peer": .string(String(call.peer.prefix(64))),
        ]
        if let model = call.model { metadata["model"] = .string(String(model.prefix(128))) }
        if let principal = call.principal { metadata["principal"] = .string(principal) }
        accessLogger.info("grpc.access", metadata: metadata)
    }

    /// The canonical name of a status code (`OK`, `INVALID_ARGUMENT`, …).
    static func name(of code: RPCError.Code?) -> String {
        guard let code else { return "OK" }
        return codeNames.indices.contains(code.rawValue) ? codeNames[code.rawValue] : "UNKNOWN"
    }

    private static let codeNames = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ]
}
