/// The messages of a ``KafkaConsumer``, read with `for try await message in consumer.messages`.
///
/// Several iterators may read concurrently; each message goes to one of them. The sequence ends
/// when the consumer closes, and an iterator whose task is cancelled returns nil.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    /// Each element is one message.
    public typealias Element = KafkaMessage

    let core: ConsumerCore
    let waker: ConsumerWaker

    /// An iterator over the consumer's messages.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(core: core, waker: waker)
    }

    /// Reads the next message, waiting while none is buffered.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let core: ConsumerCore
        let waker: ConsumerWaker

        /// The next message; nil once the consumer is closed or this task is cancelled.
        public mutating func next() async throws -> KafkaMessage? {
            let core = self.core
            let waker = self.waker
            let id = core.makeID()
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let action = core.state.withLockedValue { $0.next(id: id, reader: continuation) }
                    switch action {
                    case .deliver(let message, let wakePollThread):
                        if wakePollThread { waker.wake() }
                        continuation.resume(returning: message)
                    case .end(let error):
                        if let error {
                            continuation.resume(throwing: error)
                        } else {
                            continuation.resume(returning: nil)
                        }
                    case .suspended:
                        // Cancelled before the handler below was installed: it has already run.
                        if Task.isCancelled {
                            core.state.withLockedValue { $0.cancelNext(id: id) }?.resume(returning: nil)
                        }
                    }
                }
            } onCancel: {
                core.state.withLockedValue { $0.cancelNext(id: id) }?.resume(returning: nil)
            }
        }
    }
}
