/// The state of a ``KafkaConsumer``: its buffer, waiting readers, assignment, pause state, and
/// the commits its poll thread must run. Pure: the owner performs the returned actions.
///
/// `Reader` awaits the next message, `Commit` a commit, `AssignmentWaiter` a non-empty
/// assignment, `EndWaiter` the consumer's close.
struct ConsumerStateMachine<Reader, Commit, AssignmentWaiter, EndWaiter> {
    enum Lifecycle: Equatable { case idle, running, closing, closed }

    /// A requested commit and who waits for it.
    struct PendingCommit {
        var offsets: [KafkaCommitOffset]
        var commit: Commit
    }

    private(set) var lifecycle: Lifecycle = .idle
    private(set) var assignment: Set<KafkaTopicPartition> = []
    private(set) var isUserPaused = false
    /// Whether librdkafka's fetchers are paused (by the user, or after a long full buffer).
    private(set) var isFetchPaused = false
    /// Since when the buffer has been full while fetching; nil when it has room.
    private var fullSince: ContinuousClock.Instant?
    private var buffer: MessageBuffer
    private let capacity: Int
    private let pauseFetchingAfter: Duration
    private var readers: [(id: Int, reader: Reader)] = []
    private var assignmentWaiters: [(id: Int, waiter: AssignmentWaiter)] = []
    private var endWaiters: [EndWaiter] = []
    private var pendingCommits: [PendingCommit] = []
    private var failure: KafkaError?

    /// A full buffer first only stops polling (what librdkafka prefetched stays queued); after
    /// `pauseFetchingAfter` the fetchers are paused too, so the thread can keep polling for
    /// rebalances without reading more messages.
    init(capacity: Int, topicWeights: [String: Int] = [:], pauseFetchingAfter: Duration = .seconds(1)) {
        self.buffer = MessageBuffer(weights: topicWeights)
        self.capacity = max(capacity, 1)
        self.pauseFetchingAfter = pauseFetchingAfter
    }

    /// Messages held for the application.
    var bufferedCount: Int { buffer.count }

    /// Readers and assignment waiters currently suspended.
    var suspendedCounts: (readers: Int, assignmentWaiters: Int) { (readers.count, assignmentWaiters.count) }

    // MARK: Lifecycle

    enum RunAction {
        case startPollThread
        case failAlreadyRunning
        /// Closed before it ran: end at once.
        case alreadyClosed
    }

    /// `run()` was called.
    mutating func run() -> RunAction {
        switch lifecycle {
        case .idle:
            lifecycle = .running
            return .startPollThread
        case .running, .closing:
            return .failAlreadyRunning
        case .closed:
            return .alreadyClosed
        }
    }

    enum CloseAction {
        /// Wake the poll thread: it closes the consumer and reports ``closed(error:)``.
        case wakePollThread
        /// Never ran: everyone waiting is finished now.
        case finish(Finish)
        /// Already closing: `waiter` is resumed when the thread ends.
        case none
        /// Already closed: resume `waiter` at once.
        case resume(EndWaiter?)
    }

    /// A close was requested; `waiter` (if any) wants to know when it is done.
    mutating func close(_ waiter: EndWaiter?) -> CloseAction {
        switch lifecycle {
        case .idle:
            if let waiter { endWaiters.append(waiter) }
            return .finish(closed(error: nil))
        case .running:
            if let waiter { endWaiters.append(waiter) }
            lifecycle = .closing
            return .wakePollThread
        case .closing:
            if let waiter { endWaiters.append(waiter) }
            return .none
        case .closed:
            return .resume(waiter)
        }
    }

    /// Who to resume, and with what, once the consumer is closed.
    struct Finish {
        var readers: [Reader]
        var commits: [Commit]
        var assignmentWaiters: [AssignmentWaiter]
        var endWaiters: [EndWaiter]
        var error: KafkaError?
    }

    /// The poll thread closed the consumer (with `error` if it failed).
    mutating func closed(error: KafkaError?) -> Finish {
        lifecycle = .closed
        failure = error
        buffer.removeAll()
        assignment = []
        defer {
            readers = []
            pendingCommits = []
            assignmentWaiters = []
            endWaiters = []
        }
        return Finish(
            readers: readers.map(\.reader), commits: pendingCommits.map(\.commit),
            assignmentWaiters: assignmentWaiters.map(\.waiter), endWaiters: endWaiters, error: error)
    }

    // MARK: Reading

    enum ReadAction {
        /// Hand `message` to the reader; when `wakePollThread` is set fetching may resume.
        case deliver(KafkaMessage, wakePollThread: Bool)
        /// Closed: the sequence ends (or throws `error`).
        case end(KafkaError?)
        /// Wait for ``received(_:)`` or ``closed(error:)``.
        case suspended
    }

    /// A reader with `id` asks for the next message.
    mutating func next(id: Int, reader: Reader) -> ReadAction {
        if let message = buffer.popFirst() {
            return .deliver(message, wakePollThread: shouldResumeFetching)
        }
        if lifecycle == .closed {
            return .end(failure)
        }
        readers.append((id, reader))
        return .suspended
    }

    /// The reader with `id` stopped waiting (cancelled); returns it if it was still waiting.
    mutating func cancelNext(id: Int) -> Reader? {
        guard let index = readers.firstIndex(where: { $0.id == id }) else { return nil }
        return readers.remove(at: index).reader
    }

    /// The poll thread read `message`; returns a waiting reader to hand it to, if any.
    mutating func received(_ message: KafkaMessage) -> Reader? {
        if !readers.isEmpty {
            return readers.removeFirst().reader
        }
        buffer.append(message)
        return nil
    }

    /// True when the poll thread holds back for a full buffer and there is room again.
    private var shouldResumeFetching: Bool {
        (fullSince != nil || isFetchPaused) && !isUserPaused && buffer.count <= capacity / 2
    }

    // MARK: Poll thread work

    /// What the poll thread does before its next poll.
    struct Work {
        /// Commits to run now, in order.
        var commits: [PendingCommit] = []
        /// Pause (true) or resume (false) fetching of the whole assignment.
        var setFetchPaused: Bool?
        /// Close the consumer and end the thread.
        var close = false
        /// The buffer is full: wait this long (or until woken) instead of polling.
        var waitForRoom: Duration?
    }

    /// Collects the poll thread's next work at time `now`.
    mutating func nextWork(now: ContinuousClock.Instant) -> Work {
        var work = Work()
        work.commits = pendingCommits
        pendingCommits = []
        work.close = lifecycle == .closing || lifecycle == .closed
        let wantsPaused: Bool
        if isUserPaused {
            wantsPaused = true
            fullSince = nil
        } else if buffer.count >= capacity {
            let since = fullSince ?? now
            fullSince = since
            let waited = now - since
            wantsPaused = isFetchPaused || waited >= pauseFetchingAfter
            if !wantsPaused {
                work.waitForRoom = min(pauseFetchingAfter - waited, .milliseconds(100))
            }
        } else {
            // Hysteresis: once paused for a full buffer, resume only when it is half empty.
            wantsPaused = isFetchPaused && buffer.count > capacity / 2
            if !wantsPaused { fullSince = nil }
        }
        if wantsPaused != isFetchPaused {
            isFetchPaused = wantsPaused
            work.setFetchPaused = wantsPaused
        }
        return work
    }

    // MARK: Pause

    /// The application paused (true) or resumed (false) consumption; returns true when the
    /// poll thread should be woken to apply it.
    mutating func setUserPaused(_ paused: Bool) -> Bool {
        isUserPaused = paused
        return lifecycle == .running
    }

    // MARK: Assignment

    /// The current assignment, sorted.
    var sortedAssignment: [KafkaTopicPartition] { assignment.sorted() }

    /// A reader with `id` waits for a non-empty assignment.
    enum AssignmentWaitAction {
        case resume([KafkaTopicPartition])
        case fail(KafkaError)
        case suspended
    }

    mutating func waitForAssignment(id: Int, waiter: AssignmentWaiter) -> AssignmentWaitAction {
        if lifecycle == .closed { return .fail(failure ?? .shutdown("the consumer is closed")) }
        if !assignment.isEmpty { return .resume(sortedAssignment) }
        assignmentWaiters.append((id, waiter))
        return .suspended
    }

    /// The assignment waiter with `id` gave up; returns it if it was still waiting.
    mutating func cancelAssignmentWait(id: Int) -> AssignmentWaiter? {
        guard let index = assignmentWaiters.firstIndex(where: { $0.id == id }) else { return nil }
        return assignmentWaiters.remove(at: index).waiter
    }

    /// The group assigned `partitions` (all of them for the eager protocol, the added ones for
    /// the cooperative one). Returns the waiters to resume with the whole assignment, and whether
    /// the new partitions must be paused to match the rest.
    mutating func assigned(
        _ partitions: [KafkaTopicPartition]
    ) -> (waiters: [AssignmentWaiter], pause: Bool, assignment: [KafkaTopicPartition]) {
        assignment.formUnion(partitions)
        guard !assignment.isEmpty else { return ([], isFetchPaused, []) }
        defer { assignmentWaiters = [] }
        return (assignmentWaiters.map(\.waiter), isFetchPaused, sortedAssignment)
    }

    /// The group revoked `partitions`. Buffered messages of those partitions are dropped (the next
    /// owner reads them again from the committed offset); returns the commits requested so far,
    /// which must run before the partitions are given up.
    mutating func revoked(_ partitions: [KafkaTopicPartition]) -> (commits: [PendingCommit], dropped: Int) {
        let revoked = Set(partitions)
        assignment.subtract(revoked)
        let dropped = buffer.removeAll(of: revoked)
        defer { pendingCommits = [] }
        return (pendingCommits, dropped)
    }

    // MARK: Commits

    enum CommitAction {
        /// Wake the poll thread: it runs the commit next.
        case wakePollThread
        /// Reject the commit with `error`.
        case fail(Commit, KafkaError)
        /// Nothing to commit.
        case succeed(Commit)
    }

    /// The application asked to commit `offsets`.
    ///
    /// Offsets of partitions no longer assigned are refused: after a revocation another member
    /// owns the partition, and the messages will be read again from the committed offset.
    mutating func commit(_ offsets: [KafkaCommitOffset], commit: Commit) -> CommitAction {
        switch lifecycle {
        case .idle:
            return .fail(commit, .commitFailed("the consumer is not running"))
        case .closed:
            return .fail(commit, .shutdown("the consumer is closed"))
        case .running, .closing:
            break
        }
        if offsets.isEmpty { return .succeed(commit) }
        if let stray = offsets.first(where: { !assignment.contains($0.topicPartition) }) {
            return .fail(commit, .commitFailed("\(stray.topicPartition) is not assigned to this consumer"))
        }
        pendingCommits.append(PendingCommit(offsets: offsets, commit: commit))
        return .wakePollThread
    }
}

extension ConsumerStateMachine: Sendable
where Reader: Sendable, Commit: Sendable, AssignmentWaiter: Sendable, EndWaiter: Sendable {}

extension ConsumerStateMachine.PendingCommit: Sendable where Commit: Sendable {}
