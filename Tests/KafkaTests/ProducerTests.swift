import Foundation
import Kafka
import TestSupport
import Testing

@Suite(
    "Kafka producer on the broker", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: KafkaFixture.isConfigured, KafkaFixture.skipMessage))
struct ProducerTests {
    @Test("each send returns once acknowledged, with the partition and consecutive offsets")
    func deliveryReports() async throws {
        let topic = try await KafkaFixture.makeTopic("reports", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaFixture.configuration(), logger: KafkaFixture.logger)
        let reports = try await KafkaFixture.withRunning(producer) { producer in
            var reports: [KafkaDeliveryReport] = []
            for index in 0..<5 {
                let report = try await producer.send(
                    topic: topic, key: "key-\(index)".bytes, value: "value-\(index)".bytes,
                    headers: [KafkaHeader(name: "index", string: "\(index)")])
                #expect(producer.inFlightCount == 0)
                reports.append(report)
            }
            return reports
        }
        #expect(reports.map(\.topic) == Array(repeating: topic, count: 5))
        #expect(reports.map(\.partition) == Array(repeating: 0, count: 5))
        let first = try #require(reports.first).offset
        #expect(reports.map(\.offset) == Array(first..<first + 5))
    }

    @Test("a delivery report error surfaces as produceFailed")
    func deliveryFailure() async throws {
        var configuration = try KafkaFixture.configuration()
        configuration.properties = ["allow.auto.create.topics": "false", "message.timeout.ms": "2000"]
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaFixture.logger)
        let missing = KafkaFixture.uniqueName("missing")
        let error = try await KafkaFixture.withRunning(producer) { producer in
            await #expect(throws: KafkaError.self) { try await producer.send(topic: missing, value: "lost".bytes) }
        }
        let failure = try #require(error)
        #expect(failure.code == .produceFailed)
        #expect(failure.name == "produce_failed")
        #expect(failure.reason.localizedStandardContains("timed out"), "\(failure)")
    }

    @Test("a message over message.max.bytes fails with produceFailed and the producer keeps working")
    func oversizedMessage() async throws {
        let topic = try await KafkaFixture.makeTopic("oversized", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaFixture.configuration(), logger: KafkaFixture.logger)
        try await KafkaFixture.withRunning(producer) { producer in
            let error = await #expect(throws: KafkaError.self) {
                try await producer.send(topic: topic, value: [UInt8](repeating: 7, count: 2_000_000))
            }
            #expect(error?.code == .produceFailed)
            #expect(error?.reason.localizedStandardContains("too large") == true, "\(String(describing: error))")
            let report = try await producer.send(topic: topic, value: "small".bytes)
            #expect(report.partition == 0)
            #expect(producer.inFlightCount == 0)
        }
    }

    @Test("a full local queue makes sends wait and retry rather than fail")
    func queueFullBackpressure() async throws {
        let topic = try await KafkaFixture.makeTopic("backpressure", partitions: 2)
        var configuration = try KafkaFixture.configuration()
        configuration.properties = ["queue.buffering.max.messages": "10"]
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaFixture.logger)
        let count = 500
        let reports = try await KafkaFixture.withRunning(producer) { producer in
            try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { group in
                for index in 0..<count {
                    group.addTask { try await producer.send(topic: topic, key: "q\(index)".bytes, value: [1]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(reports.count == count)
        #expect(Set(reports.map { "\($0.partition)/\($0.offset)" }).count == count)
    }

    @Test("shutdown with messages in flight delivers every one of them")
    func shutdownDeliversInFlight() async throws {
        let topic = try await KafkaFixture.makeTopic("drain", partitions: 4)
        var configuration = try KafkaFixture.configuration()
        // A batching window longer than the suite's time limit keeps every message in flight until
        // the shutdown flushes it, however long the sends take to queue (librdkafka requires
        // message.timeout.ms to be longer still).
        configuration.properties = ["linger.ms": "240000", "message.timeout.ms": "600000"]
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaFixture.logger)
        let count = 2_000
        let (reports, inFlightAtShutdown) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            let sends = Task {
                try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { sends in
                    for index in 0..<count {
                        sends.addTask {
                            try await producer.send(topic: topic, key: "k\(index)".bytes, value: [1, 2, 3])
                        }
                    }
                    return try await sends.reduce(into: []) { $0.append($1) }
                }
            }
            try await eventually("all \(count) sends are in flight") { producer.inFlightCount >= count }
            let inFlight = producer.inFlightCount
            await producer.shutdown()
            try await group.waitForAll()
            return (try await sends.value, inFlight)
        }
        #expect(inFlightAtShutdown == count)
        #expect(reports.count == count)
        #expect(Set(reports.map { "\($0.partition)/\($0.offset)" }).count == count)
        #expect(producer.inFlightCount == 0)
        await #expect(throws: KafkaError.self) { try await producer.send(topic: topic, value: [0]) }
    }

    @Test("shutdown fails undeliverable messages with shutdown instead of waiting for them")
    func shutdownFailsUndeliverable() async throws {
        var configuration = try KafkaFixture.configuration()
        configuration.properties = ["allow.auto.create.topics": "false", "message.timeout.ms": "120000"]
        configuration.shutdownFlushTimeout = .milliseconds(300)
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaFixture.logger)
        let missing = KafkaFixture.uniqueName("never")
        let count = 50
        let errors = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            let sends = Task {
                await withTaskGroup(of: KafkaError?.self) { sends in
                    for _ in 0..<count {
                        sends.addTask {
                            do {
                                _ = try await producer.send(topic: missing, value: [9])
                                return nil
                            } catch {
                                return error as? KafkaError
                            }
                        }
                    }
                    return await sends.reduce(into: []) { $0.append($1) }
                }
            }
            try await eventually("all \(count) sends are in flight") { producer.inFlightCount >= count }
            await producer.shutdown()
            try await group.waitForAll()
            return await sends.value
        }
        #expect(errors.count == count)
        #expect(errors.allSatisfy { $0?.code == .shutdown }, "\(errors.prefix(3))")
    }

    @Test("messages sent before run() are delivered once it runs")
    func sendBeforeRun() async throws {
        let topic = try await KafkaFixture.makeTopic("early", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaFixture.configuration(), logger: KafkaFixture.logger)
        let early = Task { try await producer.send(topic: topic, value: "early".bytes) }
        try await eventually("the early send is queued") { producer.inFlightCount >= 1 }
        let report = try await KafkaFixture.withRunning(producer) { _ in try await early.value }
        #expect(report.topic == topic)
    }

    @Test("throughput, awaited one by one and in parallel (printed, not asserted)")
    func throughput() async throws {
        let topic = try await KafkaFixture.makeTopic("throughput", partitions: 4)
        let producer = try KafkaProducer(configuration: KafkaFixture.configuration(), logger: KafkaFixture.logger)
        let value = [UInt8](repeating: 0x61, count: 256)
        let (sequential, parallel) = try await KafkaFixture.withRunning(producer) { producer in
            let clock = ContinuousClock()
            let sequentialCount = 300
            let sequentialTime = try await clock.measure {
                for index in 0..<sequentialCount {
                    _ = try await producer.send(topic: topic, key: "s\(index)".bytes, value: value)
                }
            }
            let parallelCount = 10_000
            let parallelTime = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<parallelCount {
                        group.addTask {
                            _ = try await producer.send(topic: topic, key: "p\(index)".bytes, value: value)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            return (
                Double(sequentialCount) / sequentialTime.seconds, Double(parallelCount) / parallelTime.seconds
            )
        }
        print(
            "kafka produce throughput (256-byte values, acks=all): one by one \(Int(sequential)) msg/s, 10000 in parallel \(Int(parallel)) msg/s"
        )
        #expect(sequential > 0 && parallel > 0)
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
