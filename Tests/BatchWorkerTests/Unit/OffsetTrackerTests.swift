import Kafka
import Testing

@testable import BatchWorker

@Suite("Offset tracking: commit only below the first unfinished message")
struct OffsetTrackerTests {
    let partition = KafkaTopicPartition(topic: "t", partition: 0)
    let other = KafkaTopicPartition(topic: "t", partition: 1)

    @Test("out-of-order completion commits only the contiguous prefix")
    func contiguousPrefix() {
        var tracker = OffsetTracker()
        for offset in 10...14 { tracker.received(partition, offset: Int64(offset)) }
        tracker.completed(partition, offset: 12)
        tracker.completed(partition, offset: 13)
        #expect(tracker.offsetsToCommit(assignment: [partition]).isEmpty)
        tracker.completed(partition, offset: 10)
        #expect(tracker.offsetsToCommit(assignment: [partition]).map(\.offset) == [11])
        tracker.completed(partition, offset: 11)
        #expect(tracker.offsetsToCommit(assignment: [partition]).map(\.offset) == [14])
        #expect(tracker.inFlight == 1)
    }

    @Test("committed offsets are not offered again; unassigned partitions are not offered")
    func committedAndAssignment() {
        var tracker = OffsetTracker()
        tracker.received(partition, offset: 0)
        tracker.received(other, offset: 5)
        tracker.completed(partition, offset: 0)
        tracker.completed(other, offset: 5)
        let offered = tracker.offsetsToCommit(assignment: [partition])
        #expect(offered.map(\.topicPartition) == [partition])
        tracker.committed(offered)
        #expect(tracker.offsetsToCommit(assignment: [partition]).isEmpty)
        #expect(tracker.offsetsToCommit(assignment: [partition, other]).map(\.offset) == [6])
    }

    @Test("a partition read again from an earlier offset starts its bookkeeping over")
    func rewind() {
        var tracker = OffsetTracker()
        for offset in 0...3 { tracker.received(partition, offset: Int64(offset)) }
        tracker.completed(partition, offset: 0)
        tracker.committed(tracker.offsetsToCommit(assignment: [partition]))
        // Rebalanced away and back: the broker resends from the committed offset 1.
        tracker.received(partition, offset: 1)
        tracker.received(partition, offset: 2)
        tracker.completed(partition, offset: 2)
        #expect(tracker.offsetsToCommit(assignment: [partition]).isEmpty)
        tracker.completed(partition, offset: 1)
        #expect(tracker.offsetsToCommit(assignment: [partition]).map(\.offset) == [3])
    }

    @Test("a completion for an offset already passed changes nothing")
    func staleCompletion() {
        var tracker = OffsetTracker()
        tracker.received(partition, offset: 7)
        tracker.completed(partition, offset: 7)
        tracker.completed(partition, offset: 3)
        #expect(tracker.offsetsToCommit(assignment: [partition]).map(\.offset) == [8])
        #expect(tracker.inFlight == 0)
    }
}
