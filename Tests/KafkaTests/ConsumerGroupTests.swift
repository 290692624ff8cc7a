import Kafka
import Synchronization
import TestSupport
import Testing

@Suite(
    "Kafka consumer group with two members", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: KafkaFixture.isConfigured, KafkaFixture.skipMessage))
struct ConsumerGroupTests {
    @Test("two members split the 4 partitions and together read every message exactly once")
    func twoMembersShareThePartitions() async throws {
        let topic = try await KafkaFixture.makeTopic("pair", partitions: 4)
        let configuration = try KafkaFixture.configuration(groupID: KafkaFixture.uniqueName("pair"))
        let first = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaFixture.logger)
        let second = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaFixture.logger)
        let count = 400

        let (firstRead, secondRead, firstAssignment, secondAssignment) = try await KafkaFixture.withRunning(first) {
            first in
            try await KafkaFixture.withRunning(second) { second in
                try await waitForSplit(first, second, partitions: 4)
                let firstAssignment = first.assignment
                let secondAssignment = second.assignment
                try await produce(count, to: topic, prefix: "p")
                let (firstRead, secondRead) = try await readAndCommit(first, second, until: count)
                return (firstRead, secondRead, firstAssignment, secondAssignment)
            }
        }
        #expect(!firstAssignment.isEmpty && !secondAssignment.isEmpty)
        #expect(Set(firstAssignment).isDisjoint(with: secondAssignment))
        #expect(Set(firstAssignment + secondAssignment).count == 4)
        #expect(firstRead.allSatisfy { firstAssignment.contains($0.topicPartition) })
        #expect(secondRead.allSatisfy { secondAssignment.contains($0.topicPartition) })
        let keys = (firstRead + secondRead).map { $0.key?.string ?? "" }
        #expect(keys.count == count, "read \(keys.count) for \(count) sent")
        #expect(Set(keys) == Set((0..<count).map { "p\($0)" }))
    }
}

/// Waits until the two members hold disjoint parts of all `partitions` (the first join takes
/// about 20 s on some brokers).
private func waitForSplit(_ first: KafkaConsumer, _ second: KafkaConsumer, partitions: Int) async throws {
    try await eventually("a split assignment", within: .seconds(120), every: .milliseconds(100)) {
        let one = first.assignment
        let two = second.assignment
        return !one.isEmpty && !two.isEmpty && Set(one).isDisjoint(with: two) && Set(one + two).count == partitions
    }
}

/// Counts the messages both members have read.
private final class ReadTally: Sendable {
    private let count = Mutex(0)

    /// Adds one; returns the new total.
    func add() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}

/// Both members read and commit until together they have read `total`; then the one still
/// waiting is cancelled.
private func readAndCommit(
    _ first: KafkaConsumer, _ second: KafkaConsumer, until total: Int
) async throws -> ([KafkaMessage], [KafkaMessage]) {
    let tally = ReadTally()
    return try await withTimeout(.seconds(60), "reading \(total) messages") {
        try await withThrowingTaskGroup(of: (Int, [KafkaMessage]).self) { group in
            for (index, consumer) in [first, second].enumerated() {
                group.addTask {
                    var read: [KafkaMessage] = []
                    for try await message in consumer.messages {
                        read.append(message)
                        try await consumer.commit(message)
                        if tally.add() >= total { break }
                    }
                    return (index, read)
                }
            }
            var results: [[KafkaMessage]] = [[], []]
            if let (index, read) = try await group.next() {
                results[index] = read
            }
            group.cancelAll()
            for try await (index, read) in group {
                results[index] = read
            }
            return (results[0], results[1])
        }
    }
}
