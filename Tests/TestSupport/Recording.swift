import Logging
import Metrics
import Synchronization

/// A log handler that keeps every line, for tests that read what was logged.
public struct RecordingLogHandler: LogHandler {
    public final class Store: Sendable {
        let lines = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
        public var messages: [String] { lines.withLock { $0.map(\.message) } }
        public var all: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lines.withLock { $0 } }
    }

    let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        store.lines.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
    }

    /// A logger writing into a fresh store.
    public static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test") { _ in RecordingLogHandler(store: store) }, store)
    }
}

/// A metrics backend that keeps counter totals and the last gauge value by label and dimensions.
public final class RecordingMetricsFactory: MetricsFactory, Sendable {
    private let values = Mutex<[String: Double]>([:])

    /// Creates a factory that has recorded nothing.
    public init() {}

    /// The value recorded for `label` with `dimensions` (written `label{k=v}`), or nil.
    public func value(_ label: String, _ dimensions: [(String, String)] = []) -> Double? {
        values.withLock { $0[Self.name(label, dimensions)] }
    }

    /// `label{k=v,…}`, the key values are kept under.
    public static func name(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.isEmpty ? label : label + "{" + dimensions.map { "\($0)=\($1)" }.joined(separator: ",") + "}"
    }

    /// One series' handler.
    public final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let name: String
        let factory: RecordingMetricsFactory
        init(name: String, factory: RecordingMetricsFactory) {
            self.name = name
            self.factory = factory
        }
        public func increment(by amount: Int64) { factory.values.withLock { $0[name, default: 0] += Double(amount) } }
        public func reset() { factory.values.withLock { $0[name] = 0 } }
        public func record(_ value: Int64) { record(Double(value)) }
        public func record(_ value: Double) { factory.values.withLock { $0[name] = value } }
        public func recordNanoseconds(_ duration: Int64) { record(Double(duration)) }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
