/// The lifecycle of a ``KafkaProducer``: which calls are allowed, what its poll thread does next,
/// and who is resumed when it stops. Pure: the owner performs the returned actions.
///
/// `Waiter` is whoever awaits the producer's end (`run()`, `shutdown()`); `Flush` a pending
/// `flush(timeout:)` call.
struct ProducerStateMachine<Waiter, Flush> {
    fileprivate enum State {
        /// Created; sends are queued in librdkafka, nobody serves delivery reports yet.
        case idle
        /// The poll thread runs.
        case running(waiters: [Waiter], flushes: [Flush])
        /// A shutdown was requested; the thread flushes, purges and destroys the handle.
        case stopping(waiters: [Waiter], flushes: [Flush])
        /// The handle is destroyed.
        case stopped
    }

    private var state: State = .idle

    init() {}

    /// True while a send may still enter librdkafka's queue.
    var acceptsMessages: Bool {
        switch state {
        case .idle, .running: true
        case .stopping, .stopped: false
        }
    }

    enum RunAction {
        /// Start the poll thread.
        case startPollThread
        /// `run()` was called twice.
        case failAlreadyRunning(Waiter)
        /// Already stopped: resume at once.
        case resume(Waiter)
        /// Stopping: the waiter is resumed when the drain ends.
        case none
    }

    /// `run()` was called.
    mutating func run(_ waiter: Waiter) -> RunAction {
        switch state {
        case .idle:
            state = .running(waiters: [waiter], flushes: [])
            return .startPollThread
        case .running:
            return .failAlreadyRunning(waiter)
        case .stopping(var waiters, let flushes):
            waiters.append(waiter)
            state = .stopping(waiters: waiters, flushes: flushes)
            return .none
        case .stopped:
            return .resume(waiter)
        }
    }

    enum ShutdownAction {
        /// Nobody polls: start a thread that drains and destroys the handle.
        case startDrainThread
        /// Wake the poll thread so it starts draining.
        case wakePollThread
        /// Already stopped: resume the waiter (if any) at once.
        case resume(Waiter?)
        /// Already stopping: the waiter (if any) is resumed when the drain ends.
        case none
    }

    /// A shutdown was requested; `waiter` (if any) wants to know when it has finished.
    mutating func shutdown(_ waiter: Waiter?) -> ShutdownAction {
        let added = waiter.map { [$0] } ?? []
        switch state {
        case .idle:
            state = .stopping(waiters: added, flushes: [])
            return .startDrainThread
        case .running(let waiters, let flushes):
            state = .stopping(waiters: waiters + added, flushes: flushes)
            return .wakePollThread
        case .stopping(let waiters, let flushes):
            state = .stopping(waiters: waiters + added, flushes: flushes)
            return .none
        case .stopped:
            return .resume(waiter)
        }
    }

    enum FlushAction {
        /// Wake the poll thread: it flushes next.
        case wakePollThread
        /// The producer is not running: fail the flush.
        case failNotRunning(Flush)
    }

    /// `flush(timeout:)` was called.
    mutating func flush(_ flush: Flush) -> FlushAction {
        switch state {
        case .running(let waiters, var flushes):
            flushes.append(flush)
            state = .running(waiters: waiters, flushes: flushes)
            return .wakePollThread
        case .stopping(let waiters, var flushes):
            flushes.append(flush)
            state = .stopping(waiters: waiters, flushes: flushes)
            return .wakePollThread
        case .idle, .stopped:
            return .failNotRunning(flush)
        }
    }

    enum PollAction {
        /// Serve delivery reports for a while.
        case poll
        /// Run these flushes.
        case flush([Flush])
        /// Flush, purge and destroy the handle, then report ``finished()``.
        case drain
    }

    /// What the poll thread does next.
    mutating func nextPollAction() -> PollAction {
        switch state {
        case .running(let waiters, let flushes) where !flushes.isEmpty:
            state = .running(waiters: waiters, flushes: [])
            return .flush(flushes)
        case .running:
            return .poll
        case .idle, .stopping, .stopped:
            return .drain
        }
    }

    /// The handle is destroyed; returns the waiters and the flushes still pending, to resume.
    mutating func finished() -> (waiters: [Waiter], flushes: [Flush]) {
        switch state {
        case .running(let waiters, let flushes), .stopping(let waiters, let flushes):
            state = .stopped
            return (waiters, flushes)
        case .idle, .stopped:
            state = .stopped
            return ([], [])
        }
    }
}

extension ProducerStateMachine: Sendable where Waiter: Sendable, Flush: Sendable {}

extension ProducerStateMachine.State: Sendable where Waiter: Sendable, Flush: Sendable {}
