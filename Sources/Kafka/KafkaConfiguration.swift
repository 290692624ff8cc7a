/// Settings shared by ``KafkaProducer``, ``KafkaConsumer`` and ``KafkaAdmin``.
///
/// The named fields cover what the platform sets; anything else goes in ``properties`` as
/// librdkafka property names (`"message.timeout.ms": "5000"`), which override the defaults below.
///
/// Producer defaults (``producerDefaults``):
/// - `acks=all`, `enable.idempotence=true`: a delivery report means every in-sync replica has the
///   message, and librdkafka's retries never duplicate or reorder it (Tansu grants producer ids).
/// - `linger.ms=2`: a short batching window, so single awaited sends stay fast.
/// - `message.timeout.ms=30000`: a send fails after 30 s without a delivery report, instead of
///   librdkafka's 5 minutes, so callers see a dead broker quickly.
/// - `partitioner=murmur2_random`: the Java client's partitioner, so a key lands on the same
///   partition whichever client wrote it.
///
/// Consumer defaults (``consumerDefaults``):
/// - `enable.auto.commit=false`, `enable.auto.offset.store=false`: offsets move only through
///   ``KafkaConsumer/commit(_:)`` and ``KafkaConsumer/commit(offsets:)``.
/// - `auto.offset.reset=earliest`: a new group starts at the beginning of each partition.
/// - `partition.assignment.strategy=range`: the eager protocol. Tansu 0.6 completes eager
///   rebalances, while a cooperative-sticky member joining a running group was never assigned.
public struct KafkaConfiguration: Sendable {
    /// `host:port` of one or more brokers.
    public var bootstrapServers: [String]
    /// The client id the broker sees in its logs and quotas.
    public var clientID: String
    /// The consumer group; required by ``KafkaConsumer``.
    public var groupID: String?
    /// Extra librdkafka properties; they override the defaults.
    public var properties: [String: String]
    /// How many messages a consumer holds for the application before it stops polling (default 256).
    public var consumerBufferCapacity: Int
    /// A consumer of several topics hands out their buffered messages by these weights (smooth
    /// weighted round-robin over the topics holding messages); a topic not listed weighs 1.
    public var topicWeights: [String: Int] = [:]
    /// How long a producer shutdown waits for outstanding delivery reports (default 10 s).
    public var shutdownFlushTimeout: Duration

    /// Creates a configuration.
    public init(
        bootstrapServers: [String],
        clientID: String = "triton-gateway",
        groupID: String? = nil,
        properties: [String: String] = [:],
        consumerBufferCapacity: Int = 256,
        shutdownFlushTimeout: Duration = .seconds(10)
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.groupID = groupID
        self.properties = properties
        self.consumerBufferCapacity = consumerBufferCapacity
        self.shutdownFlushTimeout = shutdownFlushTimeout
    }

    /// Creates a configuration from a comma-separated broker list, as in `KAFKA_BROKERS`.
    public init(brokers: String, clientID: String = "triton-gateway", groupID: String? = nil) {
        let servers = brokers.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        self.init(bootstrapServers: servers, clientID: clientID, groupID: groupID)
    }

    /// Producer properties applied before ``properties``.
    public static let producerDefaults: [String: String] = [
        "acks": "all",
        "enable.idempotence": "true",
        "linger.ms": "2",
        "message.timeout.ms": "30000",
        "partitioner": "murmur2_random",
    ]

    /// Consumer properties applied before ``properties``.
    public static let consumerDefaults: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "range",
        "enable.partition.eof": "false",
    ]

    /// The complete property set for a producer.
    func producerProperties() throws(KafkaError) -> [String: String] {
        try commonProperties().merging(Self.producerDefaults) { common, _ in common }
            .merging(properties) { _, explicit in explicit }
    }

    /// The complete property set for a consumer; throws when there is no group id.
    func consumerProperties() throws(KafkaError) -> [String: String] {
        guard let groupID, !groupID.isEmpty else {
            throw .configuration("a consumer needs a group id")
        }
        guard consumerBufferCapacity > 0 else {
            throw .configuration("consumerBufferCapacity must be positive")
        }
        var result = try commonProperties().merging(Self.consumerDefaults) { common, _ in common }
        result["group.id"] = groupID
        return result.merging(properties) { _, explicit in explicit }
    }

    /// The complete property set for an administrative client.
    func adminProperties() throws(KafkaError) -> [String: String] {
        try commonProperties().merging(properties) { _, explicit in explicit }
    }

    private func commonProperties() throws(KafkaError) -> [String: String] {
        guard !bootstrapServers.isEmpty else {
            throw .configuration("no bootstrap servers")
        }
        return ["bootstrap.servers": bootstrapServers.joined(separator: ","), "client.id": clientID]
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
