import CRdkafka
import Logging

extension KafkaConsumer {
    /// The poll thread: subscribes, then alternates between the state machine's work (commits,
    /// pause changes, close) and `rd_kafka_consumer_poll`, which also runs rebalance callbacks.
    func pollLoop(_ runContinuation: CheckedContinuation<Void, any Error>) {
        let handle = client.handle
        let clock = ContinuousClock()
        var failure = subscribe(handle: handle)
        while failure == nil {
            let now = clock.now
            let work = core.state.withLockedValue { $0.nextWork(now: now) }
            core.run(work.commits, handle: handle)
            if let paused = work.setFetchPaused {
                let result = RDKafkaConsumerCalls.setFetchPaused(handle: handle, paused)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.warning(
                        "kafka pause change failed",
                        metadata: [LogKeys.detail: .string(String(cString: rd_kafka_err2str(result)))])
                }
            }
            if work.close { break }
            if let wait = work.waitForRoom {
                signal.wait(timeout: wait)
                continue
            }
            guard let raw = rd_kafka_consumer_poll(handle, 100) else { continue }
            defer { rd_kafka_message_destroy(raw) }
            if raw.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                failure = handlePollError(handle: handle, raw.pointee.err)
                continue
            }
            let message = RDKafkaConsumerCalls.message(from: raw)
            if let reader = core.state.withLockedValue({ $0.received(message) }) {
                reader.resume(returning: message)
            }
        }
        // Leaves the group; librdkafka runs the final revocation (and its commits) in here.
        let closeResult = rd_kafka_consumer_close(handle)
        if closeResult != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning(
                "kafka consumer close failed",
                metadata: [LogKeys.detail: .string(String(cString: rd_kafka_err2str(closeResult)))])
        }
        client.destroy()
        core.finish(core.state.withLockedValue { $0.closed(error: failure) })
        logger.debug("kafka consumer closed")
        if let failure {
            runContinuation.resume(throwing: failure)
        } else {
            runContinuation.resume()
        }
    }

    private func subscribe(handle: OpaquePointer) -> KafkaError? {
        let list = RDKafkaTopicPartitionList(
            topics.map { KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        let result = rd_kafka_subscribe(handle, list.pointer)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .rdKafka(result, fallback: .configuration)
        }
        logger.debug("kafka consumer subscribed", metadata: [LogKeys.topic: "\(topics)"])
        return nil
    }

    /// Logs a consumer error event; returns an error only when librdkafka reports it fatal.
    private func handlePollError(handle: OpaquePointer, _ error: rd_kafka_resp_err_t) -> KafkaError? {
        if error == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        var text = [CChar](repeating: 0, count: 512)
        let fatal = rd_kafka_fatal_error(handle, &text, text.count)
        if fatal != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.error(
                "kafka consumer fatal error", metadata: [LogKeys.detail: .string(String(nullTerminated: text))])
            return .rdKafka(fatal, fallback: .brokerUnreachable)
        }
        logger.warning(
            "kafka consumer error",
            metadata: [
                LogKeys.errorName: .string(String(cString: rd_kafka_err2name(error))),
                LogKeys.detail: .string(String(cString: rd_kafka_err2str(error))),
            ])
        return nil
    }
}
