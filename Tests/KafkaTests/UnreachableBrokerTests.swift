import Kafka
import Logging
import TestSupport
import Testing

/// Clients pointed at a port where nothing listens: calls fail or end, they never hang.
@Suite("Kafka clients without a reachable broker", .timeLimit(.minutes(1)))
struct UnreachableBrokerTests {
    private static let nowhere = KafkaConfiguration(bootstrapServers: ["127.0.0.1:1"], clientID: "unreachable")

    @Test("a send fails after message.timeout.ms, and shutdown then ends at once")
    func sendTimesOut() async throws {
        var configuration = Self.nowhere
        configuration.properties = ["message.timeout.ms": "1000"]
        let producer = try KafkaProducer(configuration: configuration, logger: KafkaFixture.quietLogger)
        try await KafkaFixture.withRunning(producer) { producer in
            let error = await #expect(throws: KafkaError.self) { try await producer.send(topic: "t", value: [1]) }
            #expect(error?.code == .produceFailed)
            #expect(error?.rdKafkaErrorCode != nil)
        }
    }

    @Test("creating a topic fails with a timeout")
    func adminTimesOut() async throws {
        let admin = try KafkaAdmin(configuration: Self.nowhere, logger: KafkaFixture.quietLogger)
        let error = await #expect(throws: KafkaError.self) {
            try await admin.createTopic("t", partitions: 1, timeout: .seconds(1))
        }
        #expect(error?.code == .timeout, "\(String(describing: error))")
    }

    @Test("a consumer that never joined closes, ending its message sequence and assignment waiters")
    func consumerCloses() async throws {
        var configuration = Self.nowhere
        configuration.groupID = "unreachable"
        let consumer = try KafkaConsumer(configuration: configuration, topics: ["t"], logger: KafkaFixture.quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            group.addTask {
                for try await _ in consumer.messages { Issue.record("no message can arrive") }
            }
            group.addTask {
                await #expect(throws: KafkaError.self) { _ = try await consumer.waitForAssignment() }
            }
            try await eventually("the consumer runs with a reader and an assignment waiter") {
                consumer.isRunning(readers: 1, assignmentWaiters: 1)
            }
            await consumer.close()
            try await group.waitForAll()
        }
        #expect(consumer.assignment.isEmpty)
    }
}
