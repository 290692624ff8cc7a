import Kafka
import Testing

@Suite(
    "Kafka consumer restart", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: KafkaFixture.isConfigured, KafkaFixture.skipMessage))
struct ConsumerRestartTests {
    @Test("a restarted member of the group resumes after the committed offsets: no loss, no committed duplicates")
    func resumesAfterCommit() async throws {
        let topic = try await KafkaFixture.makeTopic("restart", partitions: 2)
        let count = 200
        try await produce(count, to: topic, prefix: "r")
        let configuration = try KafkaFixture.configuration(groupID: KafkaFixture.uniqueName("restart"))

        let first = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaFixture.logger)
        let committed = try await KafkaFixture.withRunning(first) { consumer in
            _ = try await withTimeout(.seconds(90), "first assignment") { try await consumer.waitForAssignment() }
            var read: [KafkaMessage] = []
            while read.count < count {
                read.append(try await nextMessage(consumer))
            }
            // Commit the first 60% of each partition; the rest was read but is not processed.
            var committed: Set<String> = []
            for partition in Set(read.map(\.partition)) {
                let messages = read.filter { $0.partition == partition }
                let processed = messages.prefix(messages.count * 6 / 10)
                if let last = processed.last { try await consumer.commit(last) }
                committed.formUnion(processed.compactMap { $0.key?.string })
            }
            return committed
        }
        #expect(committed.count > count / 2)

        let second = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaFixture.logger)
        let reread = try await KafkaFixture.withRunning(second) { consumer in
            _ = try await withTimeout(.seconds(90), "second assignment") { try await consumer.waitForAssignment() }
            var keys: [String] = []
            while keys.count < count - committed.count {
                let key = try await nextMessage(consumer).key?.string ?? ""
                #expect(!committed.contains(key), "committed message \(key) read again")
                keys.append(key)
            }
            return keys
        }
        let all = Set((0..<count).map { "r\($0)" })
        #expect(Set(reread) == all.subtracting(committed))
        #expect(reread.count == Set(reread).count)
    }
}
