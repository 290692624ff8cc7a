import CRdkafka
import Logging
import NIOConcurrencyHelpers

/// A consumer's shared state, reached both from the application's tasks and from librdkafka's
/// rebalance callback on the poll thread.
final class ConsumerCore: RDKafkaRebalanceHandler {
    typealias StateMachine = ConsumerStateMachine<
        CheckedContinuation<KafkaMessage?, any Error>,
        CheckedContinuation<Void, any Error>,
        CheckedContinuation<[KafkaTopicPartition], any Error>,
        CheckedContinuation<Void, any Error>
    >

    let state: NIOLockedValueBox<StateMachine>
    let logger: Logger
    private let nextID = NIOLockedValueBox(0)

    init(capacity: Int, topicWeights: [String: Int] = [:], logger: Logger) {
        self.state = NIOLockedValueBox(StateMachine(capacity: capacity, topicWeights: topicWeights))
        self.logger = logger
    }

    /// A fresh id for a waiting reader.
    func makeID() -> Int {
        nextID.withLockedValue { id in
            id += 1
            return id
        }
    }

    /// Runs commits on the poll thread and resumes their callers.
    func run(_ commits: [StateMachine.PendingCommit], handle: OpaquePointer) {
        guard !commits.isEmpty else { return }
        let error = RDKafkaConsumerCalls.commit(handle: handle, offsets: commits.flatMap(\.offsets))
        if let error {
            logger.warning("kafka commit failed", metadata: [LogKeys.detail: "\(error)"])
        }
        for pending in commits {
            if let error {
                pending.commit.resume(throwing: error)
            } else {
                pending.commit.resume()
            }
        }
    }

    /// Resumes everyone a closed consumer leaves waiting.
    func finish(_ finish: StateMachine.Finish) {
        for reader in finish.readers {
            if let error = finish.error {
                reader.resume(throwing: error)
            } else {
                reader.resume(returning: nil)
            }
        }
        for commit in finish.commits {
            commit.resume(throwing: KafkaError.shutdown("the consumer closed before the commit ran"))
        }
        for waiter in finish.assignmentWaiters {
            waiter.resume(throwing: finish.error ?? KafkaError.shutdown("the consumer closed before an assignment"))
        }
        for waiter in finish.endWaiters {
            waiter.resume()
        }
    }

    func rebalance(
        handle: OpaquePointer, error: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let changed = RDKafkaTopicPartitionList.partitions(in: partitions)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let failure = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(failure) }
            } else {
                let result = rd_kafka_assign(handle, partitions)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    logger.warning(
                        "kafka assign failed",
                        metadata: [LogKeys.detail: .string(String(cString: rd_kafka_err2str(result)))])
                }
            }
            let (waiters, pause, assignment) = state.withLockedValue { $0.assigned(changed) }
            if pause, let partitions { rd_kafka_pause_partitions(handle, partitions) }
            logger.info("kafka partitions assigned", metadata: [LogKeys.partitions: "\(changed)"])
            for waiter in waiters { waiter.resume(returning: assignment) }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let (commits, dropped) = state.withLockedValue { $0.revoked(changed) }
            run(commits, handle: handle)
            if cooperative {
                if let failure = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(failure) }
            } else {
                rd_kafka_assign(handle, nil)
            }
            logger.info(
                "kafka partitions revoked",
                metadata: [LogKeys.partitions: "\(changed)", LogKeys.dropped: "\(dropped)"])
        default:
            logger.warning(
                "kafka rebalance failed", metadata: [LogKeys.detail: .string(String(cString: rd_kafka_err2str(error)))])
            let (commits, _) = state.withLockedValue { $0.revoked($0.sortedAssignment) }
            run(commits, handle: handle)
            rd_kafka_assign(handle, nil)
        }
    }
}
