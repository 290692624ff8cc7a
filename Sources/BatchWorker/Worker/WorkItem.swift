import BatchProtocol
import InferenceProtocol
import Kafka

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

    init(_ message: KafkaMessage) {
        partition = message.topicPartition
        offset = message.offset
        value = message.value
        content = Result { () throws(BatchWorkerError) in
            try BatchItemMessage.decode(message.value).decodingInputs()
        }
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
