import Testing

@testable import Kafka

/// The state machine with plain values standing in for continuations.
private typealias Machine = ConsumerStateMachine<String, String, String, String>

private func message(_ partition: Int32, _ offset: Int64, topic: String = "t") -> KafkaMessage {
    KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: [])
}

private func running(capacity: Int = 4) -> Machine {
    var machine = Machine(capacity: capacity, pauseFetchingAfter: .seconds(1))
    _ = machine.run()
    return machine
}

@Suite("Consumer state machine")
struct ConsumerStateMachineTests {
    @Test("a waiting reader gets the next message directly; otherwise messages are buffered in order")
    func readersAndBuffer() {
        var machine = running()
        guard case .suspended = machine.next(id: 1, reader: "r1") else { Issue.record("should wait"); return }
        let direct = machine.received(message(0, 0))
        let buffered = [machine.received(message(0, 1)), machine.received(message(0, 2))]
        #expect(direct == "r1")
        #expect(buffered == [nil, nil])
        guard case .deliver(let first, _) = machine.next(id: 2, reader: "r2") else {
            Issue.record("no message"); return
        }
        guard case .deliver(let second, _) = machine.next(id: 3, reader: "r3") else {
            Issue.record("no message"); return
        }
        #expect([first.offset, second.offset] == [1, 2])
    }

    @Test("a cancelled reader is removed once and no message is handed to it")
    func cancelledReader() {
        var machine = running()
        _ = machine.next(id: 1, reader: "r1")
        let cancelled = machine.cancelNext(id: 1)
        let again = machine.cancelNext(id: 1)
        let reader = machine.received(message(0, 0))
        #expect(cancelled == "r1")
        #expect(again == nil)
        #expect(reader == nil)
        #expect(machine.bufferedCount == 1)
    }

    @Test("a full buffer stops polling first, then pauses fetching, and resumes at half capacity")
    func backpressure() {
        var machine = running(capacity: 4)
        let start = ContinuousClock.now
        for offset in 0..<4 { _ = machine.received(message(0, Int64(offset))) }
        let waiting = machine.nextWork(now: start)
        #expect(waiting.waitForRoom == .milliseconds(100))
        #expect(waiting.setFetchPaused == nil)
        let stalled = machine.nextWork(now: start + .milliseconds(1500))
        #expect(stalled.waitForRoom == nil)
        #expect(stalled.setFetchPaused == true)
        // One read leaves 3 of 4: still paused; the second read reaches half and wakes the thread.
        guard case .deliver(_, let wakeEarly) = machine.next(id: 1, reader: "r") else { Issue.record(); return }
        #expect(!wakeEarly)
        let stillPaused = machine.nextWork(now: start + .seconds(2))
        #expect(stillPaused.setFetchPaused == nil)
        guard case .deliver(_, let wakeAtHalf) = machine.next(id: 2, reader: "r") else { Issue.record(); return }
        #expect(wakeAtHalf)
        let resumed = machine.nextWork(now: start + .seconds(3))
        #expect(resumed.setFetchPaused == false)
        #expect(resumed.waitForRoom == nil)
    }

    @Test("a brief full buffer that drains never pauses fetching")
    func briefStall() {
        var machine = running(capacity: 2)
        let start = ContinuousClock.now
        _ = machine.received(message(0, 0))
        _ = machine.received(message(0, 1))
        let full = machine.nextWork(now: start)
        #expect(full.waitForRoom != nil)
        guard case .deliver(_, let wake) = machine.next(id: 1, reader: "r") else { Issue.record(); return }
        #expect(wake)
        let work = machine.nextWork(now: start + .milliseconds(200))
        #expect(work.setFetchPaused == nil && work.waitForRoom == nil)
        #expect(!machine.isFetchPaused)
    }

    @Test("pause() pauses fetching until resume(), whatever the buffer holds")
    func userPause() {
        var machine = running()
        let wake = machine.setUserPaused(true)
        #expect(wake)
        let paused = machine.nextWork(now: .now)
        let unchanged = machine.nextWork(now: .now)
        #expect(paused.setFetchPaused == true)
        #expect(unchanged.setFetchPaused == nil)
        _ = machine.setUserPaused(false)
        let resumed = machine.nextWork(now: .now)
        #expect(resumed.setFetchPaused == false)
    }

    @Test("partitions assigned while paused are paused too, and assignment waiters are resumed")
    func assignmentWhilePaused() {
        var machine = running()
        guard case .suspended = machine.waitForAssignment(id: 1, waiter: "w") else { Issue.record(); return }
        _ = machine.setUserPaused(true)
        _ = machine.nextWork(now: .now)
        let (waiters, pause, _) = machine.assigned([KafkaTopicPartition(topic: "t", partition: 0)])
        #expect(waiters == ["w"])
        #expect(pause)
        guard case .resume(let assignment) = machine.waitForAssignment(id: 2, waiter: "w2") else {
            Issue.record(); return
        }
        #expect(assignment == [KafkaTopicPartition(topic: "t", partition: 0)])
    }

    @Test("revocation drops the revoked partitions' buffered messages and runs the pending commits first")
    func revocation() {
        var machine = running(capacity: 10)
        let zero = KafkaTopicPartition(topic: "t", partition: 0)
        let one = KafkaTopicPartition(topic: "t", partition: 1)
        _ = machine.assigned([zero, one])
        _ = machine.received(message(0, 5))
        _ = machine.received(message(1, 7))
        _ = machine.received(message(0, 6))
        guard
            case .wakePollThread = machine.commit([KafkaCommitOffset(topic: "t", partition: 0, offset: 5)], commit: "c")
        else { Issue.record(); return }
        let (commits, dropped) = machine.revoked([zero])
        #expect(commits.map(\.commit) == ["c"])
        #expect(dropped == 2)
        guard case .deliver(let left, _) = machine.next(id: 1, reader: "r") else { Issue.record(); return }
        #expect(left.topicPartition == one)
        guard case .fail(_, let error) = machine.commit([KafkaCommitOffset(after: message(0, 5))], commit: "late")
        else { Issue.record("a revoked partition's commit must be refused"); return }
        #expect(error.code == .commitFailed)
    }

    @Test("close ends waiting readers, fails pending commits and assignment waiters, and later reads end")
    func close() {
        var machine = running()
        _ = machine.assigned([KafkaTopicPartition(topic: "t", partition: 0)])
        _ = machine.next(id: 1, reader: "r")
        _ = machine.commit([KafkaCommitOffset(topic: "t", partition: 0, offset: 1)], commit: "c")
        guard case .wakePollThread = machine.close("end") else { Issue.record(); return }
        let closing = machine.nextWork(now: .now)
        #expect(closing.close)
        let finish = machine.closed(error: nil)
        #expect(finish.readers == ["r"])
        #expect(finish.endWaiters == ["end"])
        #expect(finish.commits.isEmpty)  // taken by nextWork above, run before closing
        guard case .end(nil) = machine.next(id: 2, reader: "r2") else { Issue.record(); return }
        guard case .fail(_, let error) = machine.commit([], commit: "c2") else { Issue.record(); return }
        #expect(error.code == .shutdown)
        guard case .alreadyClosed = machine.run() else { Issue.record(); return }
    }

    @Test("a consumer closed before it ran finishes at once; run() twice is refused")
    func lifecycle() {
        var idle = Machine(capacity: 1)
        guard case .finish(let finish) = idle.close("end") else { Issue.record(); return }
        #expect(finish.endWaiters == ["end"])
        var machine = running()
        guard case .failAlreadyRunning = machine.run() else { Issue.record(); return }
    }
}
