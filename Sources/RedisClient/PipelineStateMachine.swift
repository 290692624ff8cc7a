/// The bookkeeping of the command pipeline, without I/O: the bounded queue of commands, which
/// I/O thread (worker) is not started yet, sleeps, is about to check the queue or has a batch in
/// flight, and who waits for which reply.
///
/// Callers ``enqueue(id:command:waiter:)``. A worker's thread starts on demand, when every started
/// one is busy. A worker calls ``nextBatch(worker:)`` and gets every queued command at once,
/// writes them all, reads the replies, then calls ``completeBatch(worker:)`` for the waiters to
/// resume in the batch's order. Each mutating method returns what the owner must do (start or
/// wake a worker, fail a waiter); the owner holds the machine under a lock and acts after
/// releasing it. Generic over the command and the waiter so tests can drive it with plain values.
struct PipelineStateMachine<Command, Waiter> {
    /// Who must be told about a queued command.
    enum Signal: Equatable {
        /// Nobody: a worker is about to look at the queue, or every worker is busy.
        case none
        /// Signal this sleeping worker (it is marked as about to look at the queue).
        case wake(Int)
        /// Start this worker's thread: every started worker is busy.
        case start(Int)
    }

    /// The answer to ``enqueue(id:command:waiter:)``.
    enum EnqueueAction {
        /// Queued; the owner performs the signal.
        case queued(Signal)
        /// The pipeline is shut down; the waiter was not stored.
        case failShutDown
        /// The queue holds ``maximumQueued`` commands already; the waiter was not stored.
        case failQueueFull
    }

    /// The answer to ``nextBatch(worker:)``.
    enum NextAction {
        /// Write these commands, in order, then call ``completeBatch(worker:)``.
        case run([Command])
        /// Nothing to do: wait for the wake-up signal, then ask again.
        case sleep
        /// The pipeline is shut down: close the connection and end the thread.
        case exit
    }

    /// What to do after ``shutDown()``.
    struct ShutdownAction {
        /// Queued and in-flight waiters, to fail with a shut-down error.
        var fail: [Waiter] = []
        /// Sleeping workers to wake so that they exit.
        var wake: [Int] = []
        /// Workers whose thread was started: the owner waits for that many to end.
        var started = 0
    }

    private enum Worker {
        /// Its thread was never started.
        case notStarted
        /// Will call ``nextBatch(worker:)`` without needing a signal (just started, just
        /// finished a batch, or signalled).
        case checking
        /// Waits for a signal.
        case sleeping
        /// Has a batch in flight; its waiters, in the batch's order (empty once shutdown
        /// failed them).
        case busy([Waiter])
        /// Ended.
        case exited
    }

    private struct Queued {
        var id: Int
        var command: Command
        var waiter: Waiter
    }

    /// Most commands waiting to be taken by a worker; further ones are refused.
    let maximumQueued: Int

    private var workers: [Worker]
    private var queue: [Queued] = []
    private(set) var isShutDown = false
    /// Batches taken by workers so far.
    private(set) var batches = 0
    /// Commands taken by workers so far (summed over ``batches``).
    private(set) var commands = 0

    /// A machine for `workers` I/O threads (at least 1), none started yet.
    init(workers: Int, maximumQueued: Int) {
        self.workers = Array(repeating: .notStarted, count: max(1, workers))
        self.maximumQueued = max(1, maximumQueued)
    }

    /// Commands waiting for a worker.
    var queuedCount: Int { queue.count }

    /// Commands taken by a worker whose replies were not delivered yet.
    var inFlightCount: Int {
        workers.reduce(0) { count, worker in
            if case .busy(let waiters) = worker { return count + waiters.count }
            return count
        }
    }

    /// A caller submits a command. It wakes one sleeping worker, or else starts one, only when no
    /// worker is already about to look at the queue, so a burst of callers costs one wake-up, not
    /// one each.
    mutating func enqueue(id: Int, command: Command, waiter: Waiter) -> EnqueueAction {
        if isShutDown { return .failShutDown }
        guard queue.count < maximumQueued else { return .failQueueFull }
        queue.append(Queued(id: id, command: command, waiter: waiter))
        if workers.contains(where: { if case .checking = $0 { true } else { false } }) {
            return .queued(.none)
        }
        if let sleeper = workers.firstIndex(where: { if case .sleeping = $0 { true } else { false } }) {
            workers[sleeper] = .checking
            return .queued(.wake(sleeper))
        }
        if let unstarted = workers.firstIndex(where: { if case .notStarted = $0 { true } else { false } }) {
            workers[unstarted] = .checking
            return .queued(.start(unstarted))
        }
        // Every worker has a batch in flight; the first to finish takes the queue.
        return .queued(.none)
    }

    /// A caller was cancelled: returns its waiter when its command was still queued (the owner
    /// resumes it with a cancellation), `nil` when a worker already took it (its reply will be
    /// delivered) or it was already failed.
    mutating func cancel(id: Int) -> Waiter? {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return nil }
        return queue.remove(at: index).waiter
    }

    /// A worker is ready for work: it takes every queued command, sleeps, or exits.
    mutating func nextBatch(worker: Int) -> NextAction {
        if isShutDown {
            workers[worker] = .exited
            return .exit
        }
        if queue.isEmpty {
            workers[worker] = .sleeping
            return .sleep
        }
        let taken = queue
        queue.removeAll(keepingCapacity: true)
        workers[worker] = .busy(taken.map(\.waiter))
        batches += 1
        commands += taken.count
        return .run(taken.map(\.command))
    }

    /// A worker has the replies of its batch: returns the waiters to resume, in the batch's
    /// order (none when shutdown already failed them). The worker then calls
    /// ``nextBatch(worker:)``.
    mutating func completeBatch(worker: Int) -> [Waiter] {
        guard case .busy(let waiters) = workers[worker] else { return [] }
        workers[worker] = .checking
        return waiters
    }

    /// Stops the pipeline: returns every queued and in-flight waiter to fail and the sleeping
    /// workers to wake. Later commands are refused; workers exit at their next
    /// ``nextBatch(worker:)``. Returns an empty action when already shut down.
    mutating func shutDown() -> ShutdownAction {
        guard !isShutDown else { return ShutdownAction() }
        isShutDown = true
        var action = ShutdownAction(fail: queue.map(\.waiter))
        queue.removeAll()
        for index in workers.indices {
            switch workers[index] {
            case .notStarted:
                workers[index] = .exited
                continue
            case .busy(let waiters):
                action.fail.append(contentsOf: waiters)
                workers[index] = .busy([])
            case .sleeping:
                workers[index] = .checking
                action.wake.append(index)
            case .checking, .exited:
                break
            }
            action.started += 1
        }
        return action
    }
}
