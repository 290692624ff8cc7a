import Testing

@testable import Kafka

@Suite("Consumer buffer: weighted round-robin over topics")
struct MessageBufferTests {
    private func message(_ topic: String, _ offset: Int64, partition: Int32 = 0) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: [])
    }

    private func drain(_ buffer: inout MessageBuffer, _ count: Int) -> [String] {
        (0..<count).compactMap { _ in buffer.popFirst().map { "\($0.topic):\($0.offset)" } }
    }

    @Test("one topic is a FIFO")
    func oneTopic() {
        var buffer = MessageBuffer(weights: ["a": 8])
        for offset in 0..<5 { buffer.append(message("a", Int64(offset))) }
        #expect(drain(&buffer, 6) == ["a:0", "a:1", "a:2", "a:3", "a:4"])
        #expect(buffer.isEmpty)
    }

    @Test("busy topics of weights 8, 2 and 1 get 8, 2 and 1 of every 11 messages, each in order")
    func weightedShares() {
        var buffer = MessageBuffer(weights: ["urgent": 8, "normal": 2, "low": 1])
        for offset in 0..<100 {
            buffer.append(message("low", Int64(offset)))
            buffer.append(message("normal", Int64(offset)))
            buffer.append(message("urgent", Int64(offset)))
        }
        let first = drain(&buffer, 22)
        #expect(first.filter { $0.hasPrefix("urgent:") }.count == 16)
        #expect(first.filter { $0.hasPrefix("normal:") }.count == 4)
        #expect(first.filter { $0.hasPrefix("low:") }.count == 2, "low is served, not starved")
        #expect(first.filter { $0.hasPrefix("urgent:") } == (0..<16).map { "urgent:\($0)" })
        #expect(first.first == "urgent:0")
    }

    @Test("a heavy topic's messages arriving behind a light one's backlog are handed out first")
    func lateHeavyTopicJumpsAhead() {
        var buffer = MessageBuffer(weights: ["urgent": 8, "normal": 2])
        for offset in 0..<50 { buffer.append(message("normal", Int64(offset))) }
        _ = drain(&buffer, 5)
        for offset in 0..<8 { buffer.append(message("urgent", Int64(offset))) }
        let next = drain(&buffer, 10)
        #expect(next.filter { $0.hasPrefix("urgent:") }.count == 8)
        #expect(buffer.count == 43)
    }

    @Test("removing revoked partitions counts what went and keeps the rest in order")
    func revoke() {
        var buffer = MessageBuffer()
        for offset in 0..<4 {
            buffer.append(message("a", Int64(offset), partition: 0))
            buffer.append(message("a", Int64(offset), partition: 1))
            buffer.append(message("b", Int64(offset)))
        }
        let removed = buffer.removeAll(of: [KafkaTopicPartition(topic: "a", partition: 1)])
        #expect(removed == 4)
        #expect(buffer.count == 8)
        let rest = drain(&buffer, 8)
        #expect(rest.filter { $0.hasPrefix("a:") } == ["a:0", "a:1", "a:2", "a:3"])
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.popFirst() == nil)
    }
}
