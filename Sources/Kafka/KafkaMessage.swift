/// A message read by a ``KafkaConsumer``.
///
/// Commit it with ``KafkaConsumer/commit(_:)`` once its effects are durable; that stores
/// `offset + 1` for its partition.
public struct KafkaMessage: Sendable, Hashable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset in the partition.
    public var offset: Int64
    /// The key, or nil when the producer sent none.
    public var key: [UInt8]?
    /// The value (empty for a tombstone).
    public var value: [UInt8]
    /// The headers, in order; names may repeat.
    public var headers: [KafkaHeader]
    /// When it was created or appended, if the broker reported it.
    public var timestamp: KafkaTimestamp?

    /// Creates a message.
    public init(
        topic: String,
        partition: Int32,
        offset: Int64,
        key: [UInt8]? = nil,
        value: [UInt8],
        headers: [KafkaHeader] = [],
        timestamp: KafkaTimestamp? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The topic and partition.
    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }

    /// The first header value with `name`, if any.
    public func header(_ name: String) -> [UInt8]? {
        headers.first { $0.name == name }?.value ?? nil
    }
}

/// A message header: a name and an optional byte value.
public struct KafkaHeader: Sendable, Hashable {
    /// The header name.
    public var name: String
    /// The value; nil is a header with no value.
    public var value: [UInt8]?

    /// Creates a header.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Creates a header with a UTF-8 string value.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }
}

/// A message timestamp in milliseconds since the Unix epoch (UTC).
public struct KafkaTimestamp: Sendable, Hashable {
    /// Who set the timestamp.
    public enum Kind: Sendable, Hashable {
        /// The producer, when it created the message.
        case createTime
        /// The broker, when it appended the message.
        case logAppendTime
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64
    /// Who set it.
    public var kind: Kind

    /// Creates a timestamp.
    public init(millisecondsSinceEpoch: Int64, kind: Kind) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
        self.kind = kind
    }
}
