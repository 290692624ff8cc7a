import Testing

@testable import RedisClient

@Suite struct PipelineStateMachineTests {
    typealias Machine = PipelineStateMachine<String, String>

    private func batch(_ action: Machine.NextAction) -> [String]? {
        if case .run(let commands) = action { return commands }
        return nil
    }

    private func wake(_ action: Machine.EnqueueAction) -> Int?? {
        if case .queued(let wake) = action { return .some(wake) }
        return nil
    }

    @Test func callersQueuedWhileTheThreadIsBusyGoOutAsOneBatch() {
        var machine = Machine(workers: 1, maximumQueued: 1_000)
        #expect(machine.nextBatch(worker: 0).isSleep)
        // The first caller wakes the sleeping thread; the others find it already woken.
        #expect(wake(machine.enqueue(id: 0, command: "c0", waiter: "w0")) == .some(0))
        for index in 1..<200 {
            #expect(wake(machine.enqueue(id: index, command: "c\(index)", waiter: "w\(index)")) == .some(nil))
        }
        #expect(machine.queuedCount == 200)
        #expect(batch(machine.nextBatch(worker: 0)) == (0..<200).map { "c\($0)" })
        #expect(machine.queuedCount == 0)
        #expect(machine.inFlightCount == 200)
        #expect(machine.batches == 1)
        #expect(machine.commands == 200)
        #expect(machine.batches < machine.commands)

        // Arrivals during the batch wait for it to end, then go out together.
        for index in 200..<250 {
            #expect(wake(machine.enqueue(id: index, command: "c\(index)", waiter: "w\(index)")) == .some(nil))
        }
        #expect(machine.completeBatch(worker: 0) == (0..<200).map { "w\($0)" })
        #expect(batch(machine.nextBatch(worker: 0))?.count == 50)
        #expect(machine.completeBatch(worker: 0) == (200..<250).map { "w\($0)" })
        #expect(machine.nextBatch(worker: 0).isSleep)
        #expect(machine.batches == 2)
        #expect(machine.commands == 250)
        #expect(machine.inFlightCount == 0)
    }

    @Test func aSecondThreadIsWokenOnlyWhenTheFirstIsBusy() {
        var machine = Machine(workers: 2, maximumQueued: 100)
        #expect(machine.nextBatch(worker: 0).isSleep)
        // Worker 1 has not looked at the queue yet: nobody needs a signal.
        #expect(wake(machine.enqueue(id: 1, command: "a", waiter: "a")) == .some(nil))
        #expect(batch(machine.nextBatch(worker: 1)) == ["a"])
        // Worker 1 is busy, worker 0 sleeps: the next caller wakes worker 0, once.
        #expect(wake(machine.enqueue(id: 2, command: "b", waiter: "b")) == .some(0))
        #expect(wake(machine.enqueue(id: 3, command: "c", waiter: "c")) == .some(nil))
        #expect(batch(machine.nextBatch(worker: 0)) == ["b", "c"])
        // Both busy: callers queue without any wake-up; the first to finish takes them.
        #expect(wake(machine.enqueue(id: 4, command: "d", waiter: "d")) == .some(nil))
        #expect(machine.completeBatch(worker: 0) == ["b", "c"])
        #expect(batch(machine.nextBatch(worker: 0)) == ["d"])
        #expect(machine.completeBatch(worker: 1) == ["a"])
        #expect(machine.nextBatch(worker: 1).isSleep)
    }

    @Test func aWokenThreadThatFindsNothingSleepsAgain() {
        var machine = Machine(workers: 2, maximumQueued: 100)
        #expect(machine.nextBatch(worker: 0).isSleep)
        #expect(batch(machine.nextBatch(worker: 1)) == nil)
        #expect(wake(machine.enqueue(id: 1, command: "a", waiter: "a")) == .some(0))
        #expect(machine.cancel(id: 1) == "a")
        #expect(machine.nextBatch(worker: 0).isSleep)
        #expect(wake(machine.enqueue(id: 2, command: "b", waiter: "b")) == .some(0))
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
            #expect(wake(machine.enqueue(id: index, command: "c", waiter: "w\(index)")) != nil)
        }
        guard case .failQueueFull = machine.enqueue(id: 3, command: "c", waiter: "w3") else {
            Issue.record("a fourth command must be refused")
            return
        }
        #expect(machine.queuedCount == 3)
        // Commands in flight do not count: once taken, the queue has room again.
        #expect(batch(machine.nextBatch(worker: 0))?.count == 3)
        #expect(wake(machine.enqueue(id: 4, command: "c", waiter: "w4")) != nil)
    }

    @Test func shutdownFailsQueuedAndInFlightWaitersAndStopsTheThreads() {
        var machine = Machine(workers: 3, maximumQueued: 100)
        #expect(machine.nextBatch(worker: 0).isSleep)
        _ = machine.enqueue(id: 1, command: "a", waiter: "a")
        _ = machine.enqueue(id: 2, command: "b", waiter: "b")
        #expect(batch(machine.nextBatch(worker: 1)) == ["a", "b"])
        _ = machine.enqueue(id: 3, command: "c", waiter: "c")
        let action = machine.shutDown()
        #expect(Set(action.fail) == ["a", "b", "c"])
        #expect(action.fail.count == 3)
        #expect(action.wake == [0])
        #expect(machine.queuedCount == 0)
        #expect(machine.inFlightCount == 0)
        // The busy thread's replies go nowhere: its waiters were failed already.
        #expect(machine.completeBatch(worker: 1) == [])
        #expect(machine.nextBatch(worker: 0).isExit)
        #expect(machine.nextBatch(worker: 1).isExit)
        #expect(machine.nextBatch(worker: 2).isExit)
        guard case .failShutDown = machine.enqueue(id: 4, command: "d", waiter: "d") else {
            Issue.record("a shut-down pipeline refuses commands")
            return
        }
        #expect(machine.cancel(id: 3) == nil)
        let again = machine.shutDown()
        #expect(again.fail.isEmpty && again.wake.isEmpty)
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
