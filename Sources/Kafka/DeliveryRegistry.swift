import CRdkafka
import NIOConcurrencyHelpers

/// What a send's continuation learns: where the message went, or that librdkafka's queue was full
/// and the send should retry.
enum SendOutcome: Sendable {
    case delivered(KafkaDeliveryReport)
    case queueFull
}

/// One message's continuation, passed to librdkafka as the per-message opaque pointer.
final class DeliveryBox: Sendable {
    let continuation: CheckedContinuation<SendOutcome, any Error>
    let registry: DeliveryRegistry

    init(continuation: CheckedContinuation<SendOutcome, any Error>, registry: DeliveryRegistry) {
        self.continuation = continuation
        self.registry = registry
    }
}

/// The messages handed to librdkafka whose delivery report has not arrived.
///
/// Each entry holds the one retain its opaque pointer carries. Whoever removes an entry (the
/// delivery report callback, a failed produce call, or the final sweep after the handle is
/// destroyed) resumes its continuation and gives back that retain, so each happens exactly once.
final class DeliveryRegistry: Sendable {
    private let boxes = NIOLockedValueBox([ObjectIdentifier: Unmanaged<DeliveryBox>]())

    init() {}

    /// How many messages await their delivery report.
    var count: Int { boxes.withLockedValue { $0.count } }

    /// Registers a new message; returns the opaque pointer to hand to librdkafka.
    func register(_ continuation: CheckedContinuation<SendOutcome, any Error>) -> UnsafeMutableRawPointer {
        let box = DeliveryBox(continuation: continuation, registry: self)
        let retained = Unmanaged.passRetained(box)
        boxes.withLockedValue { $0[ObjectIdentifier(box)] = retained }
        return retained.toOpaque()
    }

    /// Takes the message for `opaque` out of the registry, or nil if someone already did.
    func take(_ opaque: UnsafeMutableRawPointer) -> DeliveryBox? {
        let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeUnretainedValue()
        guard let retained = boxes.withLockedValue({ $0.removeValue(forKey: ObjectIdentifier(box)) }) else {
            return nil
        }
        return retained.takeRetainedValue()
    }

    /// Fails every message still registered; called once the handle can no longer report.
    func failAll(with error: KafkaError) {
        let remaining = boxes.withLockedValue { boxes in
            defer { boxes.removeAll() }
            return Array(boxes.values)
        }
        for retained in remaining {
            retained.takeRetainedValue().continuation.resume(throwing: error)
        }
    }
}

/// librdkafka's delivery report callback: resumes the message's continuation.
let deliveryReportCallback: RDKafkaDeliveryCallback = { _, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    let registry = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeUnretainedValue().registry
    guard let box = registry.take(opaque) else { return }
    let report = message.pointee
    if report.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        let topic = report.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        box.continuation.resume(
            returning: .delivered(KafkaDeliveryReport(topic: topic, partition: report.partition, offset: report.offset))
        )
    } else {
        box.continuation.resume(throwing: KafkaError.rdKafka(report.err, fallback: .produceFailed))
    }
}
