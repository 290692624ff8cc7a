import CRdkafka
import Logging

/// Administrative requests: creating topics.
///
/// Each request runs its blocking librdkafka wait on a dedicated thread, never on the caller's.
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient

    /// Creates an administrative client (it connects on first use).
    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        client = try RDKafkaClient.make(
            kind: .admin, properties: configuration.adminProperties(), context: RDKafkaContext(logger: logger))
    }

    /// Creates `topic` with `partitions` partitions; succeeds if it already exists.
    ///
    /// Throws ``KafkaError/Code/timeout`` when the broker does not answer within `timeout`.
    public func createTopic(
        _ topic: String, partitions: Int, replicationFactor: Int = 1, timeout: Duration = .seconds(30)
    ) async throws {
        let client = self.client
        let error = try await DedicatedThread.run(name: "kafka-admin") { () -> KafkaError? in
            Self.createTopicBlocking(
                client: client, topic: topic, partitions: Int32(clamping: partitions),
                replicationFactor: Int32(clamping: replicationFactor), timeoutMilliseconds: timeout.milliseconds)
        }
        if let error { throw error }
    }

    private static func createTopicBlocking(
        client: RDKafkaClient, topic: String, partitions: Int32, replicationFactor: Int32, timeoutMilliseconds: Int32
    ) -> KafkaError? {
        var errorText = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(topic, partitions, replicationFactor, &errorText, errorText.count)
        else {
            return .configuration(String(nullTerminated: errorText))
        }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        guard let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS) else {
            return .configuration("cannot allocate admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMilliseconds, &errorText, errorText.count)
        guard let queue = rd_kafka_queue_new(client.handle) else {
            return .configuration("cannot allocate a result queue")
        }
        defer { rd_kafka_queue_destroy(queue) }

        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(client.handle, &topics, 1, options, queue)
        // The result event is ours to free.
        guard let event = rd_kafka_queue_poll(queue, timeoutMilliseconds &+ 1000) else {
            return .timeout("no CreateTopics answer for \(topic)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .rdKafka(eventError, fallback: .configuration)
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            return .configuration("unexpected admin result")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return nil }
        for index in 0..<count {
            let topicError = rd_kafka_topic_result_error(results[index])
            if topicError != RD_KAFKA_RESP_ERR_NO_ERROR && topicError != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                return .rdKafka(topicError, fallback: .configuration)
            }
        }
        return nil
    }
}
