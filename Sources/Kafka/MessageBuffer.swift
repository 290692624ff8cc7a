/// The messages read from librdkafka but not yet handed to the application: one FIFO per topic,
/// drained by smooth weighted round-robin over the topics that hold messages.
///
/// With one topic (or equal weights and one topic busy) it is a plain FIFO. With several, each
/// non-empty topic gets a share of the messages handed out proportional to its weight, so a
/// heavier topic is served first and a lighter one is never starved: among busy topics of
/// weights w₁…wₙ, topic i gets wᵢ of every w₁+…+wₙ messages, in a deterministic order.
struct MessageBuffer: Sendable {
    private var queues: [String: TopicQueue] = [:]
    /// Topics in first-seen order, so ties between topics are broken the same way every time.
    private var topics: [String] = []
    private let weights: [String: Int]
    private(set) var count = 0

    /// Creates a buffer; a topic missing from `weights` weighs 1.
    init(weights: [String: Int] = [:]) {
        self.weights = weights.mapValues { max(1, $0) }
    }

    var isEmpty: Bool { count == 0 }

    mutating func append(_ message: KafkaMessage) {
        let topic = message.topicPartition.topic
        if queues[topic] == nil {
            queues[topic] = TopicQueue(weight: weights[topic] ?? 1)
            topics.append(topic)
        }
        queues[topic]!.append(message)
        count += 1
    }

    mutating func popFirst() -> KafkaMessage? {
        guard count > 0 else { return nil }
        var chosen: String?
        var total = 0
        for topic in topics where !queues[topic]!.isEmpty {
            queues[topic]!.credit += queues[topic]!.weight
            total += queues[topic]!.weight
            if chosen == nil || queues[topic]!.credit > queues[chosen!]!.credit { chosen = topic }
        }
        guard let chosen else { return nil }
        queues[chosen]!.credit -= total
        count -= 1
        let message = queues[chosen]!.popFirst()
        // An idle topic starts afresh when messages come again.
        if queues[chosen]!.isEmpty { queues[chosen]!.credit = 0 }
        return message
    }

    /// Removes the messages of `partitions`; returns how many were removed.
    @discardableResult
    mutating func removeAll(of partitions: Set<KafkaTopicPartition>) -> Int {
        var removed = 0
        for topic in topics {
            removed += queues[topic]!.removeAll { partitions.contains($0.topicPartition) }
        }
        count -= removed
        return removed
    }

    mutating func removeAll() {
        for topic in topics { _ = queues[topic]!.removeAll { _ in true } }
        count = 0
    }
}

/// One topic's FIFO and its round-robin credit.
private struct TopicQueue: Sendable {
    let weight: Int
    var credit = 0
    private var storage: [KafkaMessage] = []
    private var head = 0

    init(weight: Int) {
        self.weight = weight
    }

    var isEmpty: Bool { head == storage.count }

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

    /// Removes the messages `matching` says; returns how many.
    mutating func removeAll(where matching: (KafkaMessage) -> Bool) -> Int {
        let before = storage.count - head
        storage = storage[head...].filter { !matching($0) }
        head = 0
        if storage.isEmpty { credit = 0 }
        return before - storage.count
    }
}
