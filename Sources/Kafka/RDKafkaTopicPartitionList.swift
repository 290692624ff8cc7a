import CRdkafka

/// Owns one `rd_kafka_topic_partition_list_t` and frees it when released.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// Takes ownership of a list librdkafka allocated for the caller.
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    /// A new list of `partitions` (offsets left unset).
    convenience init(_ partitions: [KafkaTopicPartition]) {
        self.init(adopting: rd_kafka_topic_partition_list_new(Int32(clamping: max(partitions.count, 1))))
        for partition in partitions {
            rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)
        }
    }

    /// A new list of commit offsets; several offsets for one partition collapse to the highest.
    convenience init(offsets: [KafkaCommitOffset]) {
        var highest: [KafkaTopicPartition: Int64] = [:]
        for offset in offsets {
            highest[offset.topicPartition] = max(highest[offset.topicPartition] ?? .min, offset.offset)
        }
        let ordered = highest.keys.sorted()
        self.init(adopting: rd_kafka_topic_partition_list_new(Int32(clamping: max(ordered.count, 1))))
        for partition in ordered {
            let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)
            element?.pointee.offset = highest[partition] ?? Int64(RD_KAFKA_OFFSET_INVALID)
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    /// The partitions in the list.
    var partitions: [KafkaTopicPartition] { Self.partitions(in: pointer) }

    /// The partitions in a list librdkafka owns.
    static func partitions(in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [KafkaTopicPartition] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }

    /// The first per-partition error in the list, if any.
    var firstError: rd_kafka_resp_err_t? {
        guard let elements = pointer.pointee.elems else { return nil }
        for index in 0..<Int(pointer.pointee.cnt) where elements[index].err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return elements[index].err
        }
        return nil
    }
}
