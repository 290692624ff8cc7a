import CRdkafka
import Logging

/// Receives a consumer's rebalance callbacks on its poll thread.
protocol RDKafkaRebalanceHandler: AnyObject, Sendable {
    /// Called by librdkafka inside `rd_kafka_consumer_poll` / `rd_kafka_consumer_close`.
    func rebalance(
        handle: OpaquePointer, error: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?)
}

/// What librdkafka's callbacks reach through the handle's opaque pointer.
final class RDKafkaContext: Sendable {
    let logger: Logger
    let rebalanceHandler: (any RDKafkaRebalanceHandler)?

    init(logger: Logger, rebalanceHandler: (any RDKafkaRebalanceHandler)? = nil) {
        self.logger = logger
        self.rebalanceHandler = rebalanceHandler
    }

    /// The context of `handle`, valid while the handle lives.
    static func of(_ handle: OpaquePointer?) -> RDKafkaContext? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<RDKafkaContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// librdkafka's log callback (any librdkafka thread): forwards to the handle's logger.
func rdKafkaLogCallback(
    handle: OpaquePointer?, level: Int32, facility: UnsafePointer<CChar>?, text: UnsafePointer<CChar>?
) {
    guard let context = RDKafkaContext.of(handle) else { return }
    let logLevel: Logger.Level
    switch level {
    case ...3: logLevel = .error
    case 4: logLevel = .warning
    case 5, 6: logLevel = .info
    default: logLevel = .debug
    }
    context.logger.log(
        level: logLevel, "librdkafka",
        metadata: [
            LogKeys.facility: .string(facility.map { String(cString: $0) } ?? ""),
            LogKeys.detail: .string(text.map { String(cString: $0) } ?? ""),
        ])
}

/// librdkafka's error callback: logs client-wide errors such as "all brokers down".
func rdKafkaErrorCallback(
    handle: OpaquePointer?, error: Int32, reason: UnsafePointer<CChar>?, opaque: UnsafeMutableRawPointer?
) {
    guard let opaque else { return }
    let context = Unmanaged<RDKafkaContext>.fromOpaque(opaque).takeUnretainedValue()
    context.logger.warning(
        "librdkafka error",
        metadata: [
            LogKeys.errorName: .string(String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(error)))),
            LogKeys.detail: .string(reason.map { String(cString: $0) } ?? ""),
        ])
}

/// librdkafka's rebalance callback (the consumer's poll thread): hands over to the consumer.
func rdKafkaRebalanceCallback(
    handle: OpaquePointer?, error: rd_kafka_resp_err_t,
    partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, opaque: UnsafeMutableRawPointer?
) {
    guard let handle, let opaque else { return }
    let context = Unmanaged<RDKafkaContext>.fromOpaque(opaque).takeUnretainedValue()
    context.rebalanceHandler?.rebalance(handle: handle, error: error, partitions: partitions)
}
