import Kafka
import TestSupport
import Testing

@Suite(
    "Kafka consumer on the broker", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: KafkaFixture.isConfigured, KafkaFixture.skipMessage))
struct ConsumerTests {
    @Test(
        "1,000 produced messages are read exactly once, with keys, values and headers; a slow reader and pause() lose nothing"
    )
    func readsEveryMessageOnce() async throws {
        let topic = try await KafkaFixture.makeTopic("thousand", partitions: 4)
        let count = 1_000
        try await produce(count, to: topic, prefix: "m")

        var configuration = try KafkaFixture.configuration(groupID: KafkaFixture.uniqueName("thousand"))
        configuration.consumerBufferCapacity = 32
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaFixture.logger)
        let (messages, drainedWhilePaused) = try await KafkaFixture.withRunning(consumer) { consumer in
            let assignment = try await withTimeout(.seconds(90), "assignment") {
                try await consumer.waitForAssignment()
            }
            #expect(assignment.count == 4)
            var messages: [KafkaMessage] = []
            while messages.count < 100 {
                messages.append(try await nextMessage(consumer))
            }
            // A slow reader: the full buffer first stops polling, then pauses fetching.
            try await eventually("fetching pauses while the buffer stays full", within: .seconds(60)) {
                consumer.isFetchPaused
            }
            while messages.count < 300 {
                messages.append(try await nextMessage(consumer))
            }
            consumer.pause()
            #expect(consumer.isPaused)
            // What was buffered before the pause can still be read; then nothing more arrives.
            var drained = 0
            while let message = try await nextMessage(consumer, within: .seconds(2)) {
                messages.append(message)
                drained += 1
            }
            consumer.resume()
            while messages.count < count {
                messages.append(try await nextMessage(consumer))
            }
            for message in latestPerPartition(messages) {
                try await consumer.commit(message)
            }
            return (messages, drained)
        }
        #expect(drainedWhilePaused <= 40, "read \(drainedWhilePaused) messages while paused")
        let keys = messages.map { $0.key?.string ?? "" }
        #expect(Set(keys) == Set((0..<count).map { "m\($0)" }))
        #expect(keys.count == count, "duplicates: \(keys.count - Set(keys).count)")
        for message in messages {
            #expect(message.value.string == "value of \(message.key?.string ?? "")")
            #expect(message.header("index")?.string == message.key?.string.dropFirst().description)
            #expect(message.headers.map(\.name) == ["index", "none"])
            #expect(message.headers.last?.value == nil)
            #expect(message.timestamp != nil)
        }
        for partition in Set(messages.map(\.partition)) {
            let offsets = messages.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == offsets.sorted(), "partition \(partition) out of order")
        }
    }

    @Test("commits are refused for partitions this member is not assigned")
    func commitOfUnassignedPartition() async throws {
        let topic = try await KafkaFixture.makeTopic("unassigned", partitions: 1)
        let configuration = try KafkaFixture.configuration(groupID: KafkaFixture.uniqueName("unassigned"))
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaFixture.logger)
        await #expect(throws: KafkaError.self) {
            try await consumer.commit(offsets: [.init(topic: topic, partition: 0, offset: 1)])
        }
        try await KafkaFixture.withRunning(consumer) { consumer in
            _ = try await withTimeout(.seconds(90), "assignment") { try await consumer.waitForAssignment() }
            let error = await #expect(throws: KafkaError.self) {
                try await consumer.commit(offsets: [.init(topic: topic, partition: 7, offset: 1)])
            }
            #expect(error?.code == .commitFailed)
            try await consumer.commit(offsets: [.init(topic: topic, partition: 0, offset: 0)])
        }
        let error = await #expect(throws: KafkaError.self) {
            try await consumer.commit(offsets: [.init(topic: topic, partition: 0, offset: 1)])
        }
        #expect(error?.code == .shutdown)
    }
}
