import Foundation
import Logging
import TestSupport
import Testing

@testable import Kafka

/// The stack's Kafka broker, unique names, and helpers to run clients inside a test.
enum KafkaFixture {
    /// True when tests needing the broker should run (configured, or required so they fail loudly).
    static var isConfigured: Bool {
        StackEnvironment.current.values["KAFKA_BROKERS"].map { !$0.isEmpty } ?? false
            || StackEnvironment.current.requiresStack
    }

    static let skipMessage: Comment = "KAFKA_BROKERS not set: run `make up` first"

    /// A logger that keeps librdkafka's chatter out of test output unless it is a warning.
    static let logger: Logger = {
        var logger = Logger(label: "kafka-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"] == "1" ? .info : .warning
        return logger
    }()

    /// A logger for clients that are expected to fail: it drops everything.
    static let quietLogger: Logger = {
        var logger = Logger(label: "kafka-tests-quiet")
        logger.logLevel = .critical
        return logger
    }()

    /// A configuration for the stack's broker.
    static func configuration(groupID: String? = nil) throws -> KafkaConfiguration {
        KafkaConfiguration(
            brokers: try StackEnvironment.current.require("KAFKA_BROKERS"), clientID: "kafka-tests", groupID: groupID)
    }

    /// A name no other test or run uses.
    static func uniqueName(_ prefix: String) -> String {
        "test-\(prefix)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// Creates a fresh topic and returns its name.
    static func makeTopic(_ prefix: String, partitions: Int) async throws -> String {
        let topic = uniqueName(prefix)
        let admin = try KafkaAdmin(configuration: configuration(), logger: logger)
        try await admin.createTopic(topic, partitions: partitions)
        return topic
    }

    /// Runs `service` while `body` runs, then shuts it down and waits for it to end.
    static func withRunning<Client: KafkaRunnable, Result: Sendable>(
        _ client: Client, _ body: @Sendable (Client) async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            do {
                let result = try await body(client)
                await client.stop()
                try await group.waitForAll()
                return result
            } catch {
                await client.stop()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}

/// A client with a poll thread that a test starts and stops.
protocol KafkaRunnable: Sendable {
    func run() async throws
    func stop() async
}

extension KafkaProducer: KafkaRunnable {
    func stop() async { await shutdown() }
}

extension KafkaConsumer: KafkaRunnable {
    func stop() async { await close() }
}

/// Internal state that tests wait for instead of sleeping.
extension KafkaConsumer {
    /// Whether librdkafka's fetchers are paused (by ``pause()``, or after a long full buffer).
    var isFetchPaused: Bool { core.state.withLockedValue { $0.isFetchPaused } }

    /// True once ``run()`` has started and exactly `readers` message readers and `assignmentWaiters`
    /// callers of ``waitForAssignment()`` are suspended.
    func isRunning(readers: Int, assignmentWaiters: Int) -> Bool {
        core.state.withLockedValue { state in
            state.lifecycle == .running
                && state.suspendedCounts == (readers: readers, assignmentWaiters: assignmentWaiters)
        }
    }
}

/// Fails with a timeout error when `body` takes longer than `limit`.
func withTimeout<Result: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw TestTimeout(what: what, limit: limit)
        }
        return result
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    let limit: Duration
    var description: String { "\(what) did not finish within \(limit)" }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }
}

/// Sends `count` messages keyed `prefix0`… with a value, an `index` header and a valueless `none`
/// header, in parallel.
func produce(_ count: Int, to topic: String, prefix: String) async throws {
    let producer = try KafkaProducer(configuration: KafkaFixture.configuration(), logger: KafkaFixture.logger)
    try await KafkaFixture.withRunning(producer) { producer in
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    _ = try await producer.send(
                        topic: topic, key: "\(prefix)\(index)".bytes, value: "value of \(prefix)\(index)".bytes,
                        headers: [
                            KafkaHeader(name: "index", string: "\(index)"), KafkaHeader(name: "none", value: nil),
                        ])
                }
            }
            try await group.waitForAll()
        }
    }
}

/// The next message, failing the test after 30 s.
func nextMessage(_ consumer: KafkaConsumer) async throws -> KafkaMessage {
    guard let message = try await nextMessage(consumer, within: .seconds(30)) else {
        throw TestTimeout(what: "next message", limit: .seconds(30))
    }
    return message
}

/// The next message, or nil when none arrives within `limit`.
func nextMessage(_ consumer: KafkaConsumer, within limit: Duration) async throws -> KafkaMessage? {
    let messages = consumer.messages
    do {
        return try await withTimeout(limit, "next message") {
            var iterator = messages.makeAsyncIterator()
            guard let message = try await iterator.next() else { throw KafkaError.shutdown() }
            return message
        }
    } catch is TestTimeout {
        return nil
    }
}

/// The last message read from each partition.
func latestPerPartition(_ messages: [KafkaMessage]) -> [KafkaMessage] {
    Dictionary(grouping: messages, by: \.topicPartition).values.compactMap { $0.max { $0.offset < $1.offset } }
}
