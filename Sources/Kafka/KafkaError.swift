import CRdkafka

/// An error from the Kafka client.
///
/// Compare ``code`` against the static codes (`error.code == .produceFailed`); ``name`` is a short,
/// label-safe string for metrics; ``reason`` carries librdkafka's own error text, which never
/// contains message payloads or credentials.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case configuration
            case brokerUnreachable = "broker_unreachable"
            case produceFailed = "produce_failed"
            case commitFailed = "commit_failed"
            case timeout
            case shutdown
        }

        fileprivate let base: Base

        private init(_ base: Base) { self.base = base }

        /// A librdkafka property was unknown or had an invalid value, or a handle could not be created.
        public static let configuration = Code(.configuration)
        /// No broker could be reached.
        public static let brokerUnreachable = Code(.brokerUnreachable)
        /// The broker (or librdkafka) rejected a message; it was not written.
        public static let produceFailed = Code(.produceFailed)
        /// An offset commit was rejected, or the partition is no longer assigned to this consumer.
        public static let commitFailed = Code(.commitFailed)
        /// An operation did not finish within its time limit.
        public static let timeout = Code(.timeout)
        /// The client is shutting down or has shut down.
        public static let shutdown = Code(.shutdown)

        /// The label-safe name.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// librdkafka's error text (or a fixed explanation); safe to log.
    public let reason: String
    /// librdkafka's numeric error code, when the failure came from librdkafka.
    public let rdKafkaErrorCode: Int32?

    private init(_ code: Code, reason: String, rdKafkaErrorCode: Int32? = nil) {
        self.code = code
        self.reason = reason
        self.rdKafkaErrorCode = rdKafkaErrorCode
    }

    /// A short, stable, label-safe name (`produce_failed`, `timeout`, …) for metrics and logs.
    public var name: String { code.base.rawValue }

    /// The name and librdkafka's reason; safe to log.
    public var description: String { "KafkaError.\(name): \(reason)" }

    /// A configuration error.
    public static func configuration(_ reason: String) -> KafkaError {
        KafkaError(.configuration, reason: reason)
    }

    /// A broker-unreachable error.
    public static func brokerUnreachable(_ reason: String) -> KafkaError {
        KafkaError(.brokerUnreachable, reason: reason)
    }

    /// A produce failure.
    public static func produceFailed(_ reason: String) -> KafkaError {
        KafkaError(.produceFailed, reason: reason)
    }

    /// A commit failure.
    public static func commitFailed(_ reason: String) -> KafkaError {
        KafkaError(.commitFailed, reason: reason)
    }

    /// A timeout.
    public static func timeout(_ reason: String) -> KafkaError {
        KafkaError(.timeout, reason: reason)
    }

    /// The client is shutting down or has shut down.
    public static func shutdown(_ reason: String = "the Kafka client is shut down") -> KafkaError {
        KafkaError(.shutdown, reason: reason)
    }
}

extension KafkaError {
    /// Maps a librdkafka error code met during `operation` to the closest ``Code``.
    ///
    /// Purges (the producer shutting down) become `shutdown`, transport failures
    /// `brokerUnreachable`, local and broker timeouts `timeout`; anything else takes `fallback`.
    static func rdKafka(_ error: rd_kafka_resp_err_t, fallback: Code) -> KafkaError {
        let reason = String(cString: rd_kafka_err2str(error))
        let code: Code
        switch error {
        case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, RD_KAFKA_RESP_ERR__DESTROY:
            code = .shutdown
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE:
            code = .brokerUnreachable
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
            code = .timeout
        default:
            code = fallback
        }
        return KafkaError(code, reason: reason, rdKafkaErrorCode: error.rawValue)
    }
}
