import Foundation
import Logging
import Metrics
import RedisClient
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A log handler that keeps every message, to count the limiter's log lines.
struct RecordingLogHandler: LogHandler {
    final class Store: Sendable {
        let lines = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
        var messages: [String] { lines.withLock { $0.map(\.message) } }
        var all: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] { lines.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.lines.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
    }

    /// A logger writing into a fresh store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test") { _ in RecordingLogHandler(store: store) }, store)
    }
}

/// A metrics backend that keeps counter totals and the last gauge value by label and dimensions.
final class RecordingMetricsFactory: MetricsFactory, Sendable {
    private let values = Mutex<[String: Double]>([:])

    /// The value recorded for `label` with `dimensions` (written `label{k=v}`), or nil.
    func value(_ label: String, _ dimensions: [(String, String)] = []) -> Double? {
        values.withLock { $0[Self.name(label, dimensions)] }
    }

    static func name(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.isEmpty ? label : label + "{" + dimensions.map { "\($0)=\($1)" }.joined(separator: ",") + "}"
    }

    final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let name: String
        let factory: RecordingMetricsFactory
        init(name: String, factory: RecordingMetricsFactory) {
            self.name = name
            self.factory = factory
        }
        func increment(by amount: Int64) { factory.values.withLock { $0[name, default: 0] += Double(amount) } }
        func reset() { factory.values.withLock { $0[name] = 0 } }
        func record(_ value: Int64) { record(Double(value)) }
        func record(_ value: Double) { factory.values.withLock { $0[name] = value } }
        func recordNanoseconds(_ duration: Int64) { record(Double(duration)) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(name: Self.name(label, dimensions), factory: self)
    }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// The stack's Redis and an address where none answers.
enum RateLimitTestServer {
    static func configuration(poolSize: Int = 4) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: StackEnvironment.current.require("REDIS_URL"))
        configuration.poolSize = poolSize
        return configuration
    }

    /// A principal name unique to one test run.
    static func principal(_ name: String) -> String { "test-\(name)-\(UUID().uuidString.prefix(8))" }

}
