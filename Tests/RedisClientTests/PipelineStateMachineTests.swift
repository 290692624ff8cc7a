import Testing

@testable import RedisClient

@Suite struct PipelineStateMachineTests {
    typealias Machine = PipelineStateMachine<String, String>

    private func batch(_ action: Machine.NextAction) -> [String]? {
        if case .run(let commands) = action { return commands }
        return nil
    }

    private func signal(_ action: Machine.EnqueueAction) -> Machine.Signal? {
        if case .queued(let signal) = action { return signal }
        return nil
    }

    @Test func callersQueuedWhileTheThreadIsBusyGoOutAsOneBatch() {
        var machine = Machine(workers: 1, maximumQueued: 1_000)
        // The first caller starts the thread; the thread finds it and takes it alone.
        #expect(signal(machine.enqueue(id: 0, command: "c0", waiter: "w0")) == .start(0))
        #expect(batch(machine.nextBatch(worker: 0)) == ["c0"])
        // Callers arriving while that batch is in flight need no signal: they queue.
        for index in 1..<201 {
            #expect(
                signal(machine.enqueue(id: index, command: "c\(index)", waiter: "w\(index)")) == Machine.Signal.none)
        }
        #expect(machine.queuedCount == 200)
        #expect(machine.completeBatch(worker: 0) == ["w0"])
        #expect(batch(machine.nextBatch(worker: 0)) == (1..<201).map { "c\($0)" })
        #expect(machine.queuedCount == 0)
        #expect(machine.inFlightCount == 200)
        #expect(machine.batches == 2)
        #expect(machine.commands == 201)
        #expect(machine.batches < machine.commands)
        #expect(machine.completeBatch(worker: 0) == (1..<201).map { "w\($0)" })
        #expect(machine.inFlightCount == 0)

        // An idle thread sleeps; the next caller wakes it, and a burst costs that one wake-up.
        #expect(machine.nextBatch(worker: 0).isSleep)
        #expect(signal(machine.enqueue(id: 300, command: "a", waiter: "a")) == .wake(0))
        #expect(signal(machine.enqueue(id: 301, command: "b", waiter: "b")) == Machine.Signal.none)
        #expect(batch(machine.nextBatch(worker: 0)) == ["a", "b"])
        #expect(machine.batches == 3)
        #expect(machine.commands == 203)
    }

    @Test func aSecondThreadStartsOnlyWhenTheFirstIsBusy() {
        var machine = Machine(workers: 2, maximumQueued: 100)
        #expect(signal(machine.enqueue(id: 1, command: "a", waiter: "a")) == .start(0))
        #expect(batch(machine.nextBatch(worker: 0)) == ["a"])
        // Worker 0 is busy: the next caller starts worker 1, once.
        #expect(signal(machine.enqueue(id: 2, command: "b", waiter: "b")) == .start(1))
        #expect(signal(machine.enqueue(id: 3, command: "c", waiter: "c")) == Machine.Signal.none)
        #expect(batch(machine.nextBatch(worker: 1)) == ["b", "c"])
        // Both busy: callers queue without a signal; the first to finish takes them.
        #expect(signal(machine.enqueue(id: 4, command: "d", waiter: "d")) == Machine.Signal.none)
        #expect(machine.completeBatch(worker: 1) == ["b", "c"])
        #expect(batch(machine.nextBatch(worker: 1)) == ["d"])
        #expect(machine.completeBatch(worker: 0) == ["a"])
        #expect(machine.nextBatch(worker: 0).isSleep)
        // A sleeping thread is woken before anything else.
        #expect(signal(machine.enqueue(id: 5, command: "e", waiter: "e")) == .wake(0))
    }

    @Test func aWokenThreadThatFindsNothingSleepsAgain() {
        var machine = Machine(workers: 1, maximumQueued: 100)
        #expect(signal(machine.enqueue(id: 1, command: "a", waiter: "a")) == .start(0))
        #expect(machine.cancel(id: 1) == "a")
        #expect(machine.nextBatch(worker: 0).isSleep)
        #expect(signal(machine.enqueue(id: 2, command: "b", waiter: "b")) == .wake(0))
        #expect(machine.cancel(id: 2) == "b")
        #expect(machine.nextBatch(worker: 0).isSleep)
        #expect(signal(machine.enqueue(id: 3, command: "c", waiter: "c")) == .wake(0))
    }

    @Test func cancellationRemovesOnlyQueuedCommands() {
        var machine = Machine(workers: 1, maximumQueued: 100)
        _ = machine.enqueue(id: 1, command: "a", waiter: "a")
        _ = machine.enqueue(id: 2, command: "b", waiter: "b")
        _ = machine.enqueue(id: 3, command: "c", waiter: "c")
        #expect(machine.cancel(id: 2) == "b")
        #expect(machine.cancel(id: 2) == nil)
        #expect(batch(machine.nextBatch(worker: 0)) == ["a", "c"])
        // Taken by the thread: it will be written, and its reply delivered.
        #expect(machine.cancel(id: 3) == nil)
        #expect(machine.completeBatch(worker: 0) == ["a", "c"])
    }

    @Test func theQueueIsBounded() {
        var machine = Machine(workers: 1, maximumQueued: 3)
        for index in 0..<3 {
            #expect(signal(machine.enqueue(id: index, command: "c", waiter: "w\(index)")) != nil)
        }
        guard case .failQueueFull = machine.enqueue(id: 3, command: "c", waiter: "w3") else {
            Issue.record("a fourth command must be refused")
            return
        }
        #expect(machine.queuedCount == 3)
        // Commands in flight do not count: once taken, the queue has room again.
        #expect(batch(machine.nextBatch(worker: 0))?.count == 3)
        #expect(signal(machine.enqueue(id: 4, command: "c", waiter: "w4")) != nil)
    }

    @Test func shutdownFailsQueuedAndInFlightWaitersAndStopsTheStartedThreads() {
        var machine = Machine(workers: 4, maximumQueued: 100)
        #expect(signal(machine.enqueue(id: 1, command: "a", waiter: "a")) == .start(0))
        #expect(batch(machine.nextBatch(worker: 0)) == ["a"])
        #expect(signal(machine.enqueue(id: 2, command: "b", waiter: "b")) == .start(1))
        #expect(batch(machine.nextBatch(worker: 1)) == ["b"])
        // Both busy: worker 2 is told to start; before it looks at the queue, worker 1 finishes
        // and sleeps. Worker 3 is never needed.
        #expect(signal(machine.enqueue(id: 3, command: "c", waiter: "c")) == .start(2))
        #expect(machine.cancel(id: 3) == "c")
        #expect(machine.completeBatch(worker: 1) == ["b"])
        #expect(machine.nextBatch(worker: 1).isSleep)
        #expect(signal(machine.enqueue(id: 4, command: "d", waiter: "d")) == Machine.Signal.none)
        let action = machine.shutDown()
        #expect(action.fail.sorted() == ["a", "d"])
        #expect(action.wake == [1])
        #expect(action.started == 3)
        #expect(machine.queuedCount == 0)
        #expect(machine.inFlightCount == 0)
        // The busy thread's replies go nowhere: its waiters were failed already.
        #expect(machine.completeBatch(worker: 0) == [])
        #expect(machine.nextBatch(worker: 0).isExit)
        #expect(machine.nextBatch(worker: 1).isExit)
        #expect(machine.nextBatch(worker: 2).isExit)
        guard case .failShutDown = machine.enqueue(id: 5, command: "e", waiter: "e") else {
            Issue.record("a shut-down pipeline refuses commands")
            return
        }
        #expect(machine.cancel(id: 4) == nil)
        let again = machine.shutDown()
        #expect(again.fail.isEmpty && again.wake.isEmpty && again.started == 0)
    }

    @Test func shutdownBeforeAnyCommandHasNoThreadToWaitFor() {
        var machine = Machine(workers: 2, maximumQueued: 100)
        let action = machine.shutDown()
        #expect(action.started == 0 && action.fail.isEmpty && action.wake.isEmpty)
    }
}

extension PipelineStateMachine.NextAction {
    fileprivate var isSleep: Bool {
        if case .sleep = self { return true }
        return false
    }

    fileprivate var isExit: Bool {
        if case .exit = self { return true }
        return false
    }
}
