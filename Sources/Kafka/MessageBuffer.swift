/// A FIFO of messages read from librdkafka but not yet handed to the application.
struct MessageBuffer: Sendable {
    private var storage: [KafkaMessage] = []
    private var head = 0

    init() {}

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ message: KafkaMessage) {
        storage.append(message)
    }

    mutating func popFirst() -> KafkaMessage? {
        guard head < storage.count else { return nil }
        let message = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return message
    }

    /// Removes the messages of `partitions`; returns how many were removed.
    @discardableResult
    mutating func removeAll(of partitions: Set<KafkaTopicPartition>) -> Int {
        let before = count
        storage = storage[head...].filter { !partitions.contains($0.topicPartition) }
        head = 0
        return before - count
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
    }
}
