import Kafka

/// Which offsets of each partition may be committed: only those below the first message that is
/// not yet durably processed.
///
/// Messages of a partition arrive in offset order and finish in any order; the commit point moves
/// past an offset only when it and every offset received before it are done. A pure value: the
/// worker holds it under a lock.
struct OffsetTracker: Sendable {
    private struct Partition: Sendable {
        /// Offsets received and not yet passed by the commit point, in arrival order.
        var pending: [Int64] = []
        var head = 0
        /// Offsets finished out of order, waiting for those before them.
        var done: Set<Int64> = []
        /// The next offset to read once everything before it is done (offset + 1 of the last one).
        var committable: Int64?
        /// What the broker has accepted for this partition.
        var committed: Int64?
    }

    private var partitions: [KafkaTopicPartition: Partition] = [:]

    /// Records a message handed to the pipeline.
    ///
    /// An offset at or below the last one received means the partition was read again from its
    /// committed offset (a rebalance): the partition's bookkeeping starts over from there.
    mutating func received(_ partition: KafkaTopicPartition, offset: Int64) {
        var state = partitions[partition, default: Partition()]
        if let last = state.pending.last, offset <= last {
            state.pending.removeAll(keepingCapacity: true)
            state.head = 0
            state.done.removeAll()
        }
        state.pending.append(offset)
        partitions[partition] = state
    }

    /// Records that the message at `offset` is durably processed (output and row written).
    mutating func completed(_ partition: KafkaTopicPartition, offset: Int64) {
        guard var state = partitions[partition], state.head < state.pending.count,
            offset >= state.pending[state.head]
        else { return }
        state.done.insert(offset)
        while state.head < state.pending.count, state.done.remove(state.pending[state.head]) != nil {
            state.committable = state.pending[state.head] + 1
            state.head += 1
        }
        if state.head >= 1024 || state.head == state.pending.count {
            state.pending.removeFirst(state.head)
            state.head = 0
        }
        partitions[partition] = state
    }

    /// Offsets that moved since the last successful commit, for partitions in `assignment`.
    func offsetsToCommit(assignment: Set<KafkaTopicPartition>) -> [KafkaCommitOffset] {
        partitions.compactMap { partition, state in
            guard assignment.contains(partition), let next = state.committable, next != state.committed else {
                return nil
            }
            return KafkaCommitOffset(topic: partition.topic, partition: partition.partition, offset: next)
        }
        .sorted { $0.topicPartition < $1.topicPartition }
    }

    /// Records offsets the broker accepted.
    mutating func committed(_ offsets: [KafkaCommitOffset]) {
        for offset in offsets {
            partitions[offset.topicPartition]?.committed = offset.offset
        }
    }

    /// Messages received and not yet done, over all partitions.
    var inFlight: Int {
        partitions.values.reduce(0) { $0 + ($1.pending.count - $1.head - $1.done.count) }
    }
}
