import NIOConcurrencyHelpers

/// Lets a dedicated thread sleep until another thread signals it or a timeout passes.
final class ThreadSignal: Sendable {
    private let signalled = ConditionLock(value: false)

    init() {}

    /// Wakes the waiting thread (or makes its next wait return at once).
    func signal() {
        signalled.lock()
        signalled.unlock(withValue: true)
    }

    /// Blocks the calling thread until ``signal()`` or `timeout`.
    func wait(timeout: Duration) {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if signalled.lock(whenValue: true, timeoutSeconds: max(seconds, 0)) {
            signalled.unlock(withValue: false)
        }
    }
}

/// Wakes a consumer's poll thread wherever it waits: in `rd_kafka_consumer_poll`, or for room
/// in the buffer.
struct ConsumerWaker: Sendable {
    let client: RDKafkaClient
    let signal: ThreadSignal

    func wake() {
        client.wake()
        signal.signal()
    }
}
