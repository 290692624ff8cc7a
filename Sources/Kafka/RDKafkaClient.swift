import CRdkafka
import Logging
import NIOConcurrencyHelpers

/// The single owner of one `rd_kafka_t` (and, for a consumer, its consumer queue handle).
///
/// `@unchecked Sendable`: librdkafka documents its handle as thread-safe for every call this
/// module makes from several threads (produce, poll, yield, pause); the only non-thread-safe
/// step, destruction, happens once, guarded by `destroyed`.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer
        case consumer
        case admin
    }

    /// The `rd_kafka_t *`.
    let handle: OpaquePointer
    /// The consumer queue (`rd_kafka_queue_get_consumer`), used to wake a blocked poll.
    let consumerQueue: OpaquePointer?
    let kind: Kind
    /// Holds the one retain the handle's opaque pointer carries, released after destruction.
    private let context: Unmanaged<RDKafkaContext>
    private let destroyed = NIOLockedValueBox(false)

    private init(handle: OpaquePointer, consumerQueue: OpaquePointer?, kind: Kind, context: Unmanaged<RDKafkaContext>) {
        self.handle = handle
        self.consumerQueue = consumerQueue
        self.kind = kind
        self.context = context
    }

    /// Creates a handle with `properties`; delivery reports go to `deliveryCallback` (producers).
    static func make(
        kind: Kind,
        properties: [String: String],
        context: RDKafkaContext,
        deliveryCallback: RDKafkaDeliveryCallback? = nil
    ) throws(KafkaError) -> RDKafkaClient {
        guard let conf = rd_kafka_conf_new() else { throw .configuration("cannot allocate a configuration") }
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw .configuration(String(nullTerminated: errorText))
            }
        }
        rd_kafka_conf_set_log_cb(conf, rdKafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdKafkaErrorCallback)
        if let deliveryCallback { rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback) }
        if kind == .consumer { rd_kafka_conf_set_rebalance_cb(conf, rdKafkaRebalanceCallback) }
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())

        let type = kind == .consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER
        // On success the handle owns `conf`; on failure it is still ours to free.
        guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw .configuration(String(nullTerminated: errorText))
        }
        var consumerQueue: OpaquePointer?
        if kind == .consumer {
            rd_kafka_poll_set_consumer(handle)
            consumerQueue = rd_kafka_queue_get_consumer(handle)
        }
        return RDKafkaClient(handle: handle, consumerQueue: consumerQueue, kind: kind, context: retained)
    }

    /// Wakes a thread blocked in `rd_kafka_poll` or `rd_kafka_consumer_poll` on this handle.
    /// Does nothing once the handle is destroyed.
    func wake() {
        destroyed.withLockedValue { destroyed in
            guard !destroyed else { return }
            if let consumerQueue {
                rd_kafka_queue_yield(consumerQueue)
            } else {
                rd_kafka_yield(handle)
            }
        }
    }

    /// Destroys the handle; only the first call does anything. A consumer must have been closed
    /// (`rd_kafka_consumer_close`) first unless `skipConsumerClose` says it never joined a group.
    func destroy(skipConsumerClose: Bool = false) {
        let first = destroyed.withLockedValue { destroyed in
            defer { destroyed = true }
            return !destroyed
        }
        guard first else { return }
        if let consumerQueue { rd_kafka_queue_destroy(consumerQueue) }
        if skipConsumerClose {
            rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
        } else {
            rd_kafka_destroy(handle)
        }
        // No callback can run any more: give back the context's retain.
        context.release()
    }

    deinit {
        destroy(skipConsumerClose: true)
    }
}

/// A producer's delivery report callback.
typealias RDKafkaDeliveryCallback =
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void

extension String {
    /// The text in a C character buffer that librdkafka filled, up to its terminating zero.
    init(nullTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
