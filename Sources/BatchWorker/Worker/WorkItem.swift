import BatchProtocol
import InferenceProtocol
import Kafka
import Tracing

/// One message in the pipeline: where it came from, its raw value, and what it says.
struct WorkItem: Sendable {
    /// The partition it was read from.
    let partition: KafkaTopicPartition
    /// Its offset there.
    let offset: Int64
    /// The value as read, for the dead-letter record.
    let value: [UInt8]
    /// The decoded item, or why it could not be decoded.
    let content: Result<BatchItemMessage, BatchWorkerError>
    /// The submitter's trace context from the message's headers (tracing on and headers present).
    let traceContext: ServiceContext?

    init(_ message: KafkaMessage) {
        partition = message.topicPartition
        offset = message.offset
        value = message.value
        content = Result { () throws(BatchWorkerError) in
            try BatchItemMessage.decode(message.value).decodingInputs()
        }
        traceContext = Self.traceContext(of: message.headers)
    }

    private static func traceContext(of headers: [KafkaHeader]) -> ServiceContext? {
        guard TraceContext.isEnabled else { return nil }
        let pairs = headers.compactMap { header in
            header.value.map { (name: header.name, value: String(decoding: $0, as: UTF8.self)) }
        }
        guard pairs.contains(where: { $0.name == "traceparent" }) else { return nil }
        return TraceContext.extract(from: pairs)
    }

    /// The decoded item, if it could be decoded.
    var message: BatchItemMessage? { try? content.get() }
}

/// Items that may share one Triton call.
struct BatchKey: Hashable, Sendable {
    var model: String
    var version: String?
    var signature: String
}

/// The model a batch goes to.
struct ModelKey: Hashable, Sendable {
    var model: String
    var version: String?
}

/// How one item ended.
enum ItemOutcome: Sendable {
    /// Inferred: the item's own response.
    case succeeded(InferResponse, latencyMs: Double)
    /// Failed for good, with the error name and reason.
    case failed(code: String, reason: String)
    /// Its job was cancelled.
    case skipped
}
