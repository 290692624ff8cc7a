import CRdkafka

/// The librdkafka consumer calls the poll thread makes.
enum RDKafkaConsumerCalls {
    /// Commits `offsets` and waits for the broker's answer (call on the poll thread).
    static func commit(handle: OpaquePointer, offsets: [KafkaCommitOffset]) -> KafkaError? {
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let result = rd_kafka_commit(handle, list.pointer, 0)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .rdKafka(result, fallback: .commitFailed)
        }
        if let error = list.firstError {
            return .rdKafka(error, fallback: .commitFailed)
        }
        return nil
    }

    /// Pauses or resumes fetching for the whole current assignment.
    static func setFetchPaused(handle: OpaquePointer, _ paused: Bool) -> rd_kafka_resp_err_t {
        var assigned: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let result = rd_kafka_assignment(handle, &assigned)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let assigned else { return result }
        let list = RDKafkaTopicPartitionList(adopting: assigned)
        guard list.pointer.pointee.cnt > 0 else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        return paused
            ? rd_kafka_pause_partitions(handle, list.pointer) : rd_kafka_resume_partitions(handle, list.pointer)
    }

    /// Copies a consumed message out of librdkafka (the caller still destroys it).
    static func message(from raw: UnsafePointer<rd_kafka_message_t>) -> KafkaMessage {
        let message = raw.pointee
        let topic = message.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let value = message.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: message.len)) } ?? []
        let key = message.key.map { Array(UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(raw, &timestampType)
        var timestamp: KafkaTimestamp?
        if timestampType != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && milliseconds >= 0 {
            let kind: KafkaTimestamp.Kind =
                timestampType == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? .logAppendTime : .createTime
            timestamp = KafkaTimestamp(millisecondsSinceEpoch: milliseconds, kind: kind)
        }
        return KafkaMessage(
            topic: topic, partition: message.partition, offset: message.offset, key: key, value: value,
            headers: headers(of: raw), timestamp: timestamp)
    }

    private static func headers(of raw: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var headers: OpaquePointer?
        // The header list belongs to the message.
        guard rd_kafka_message_headers(raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return result
    }
}
