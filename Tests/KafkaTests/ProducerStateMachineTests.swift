import Testing

@testable import Kafka

private typealias Machine = ProducerStateMachine<String, String>

@Suite("Producer state machine")
struct ProducerStateMachineTests {
    @Test("run starts the poll thread once; sends are accepted until shutdown")
    func runAndShutdown() {
        var machine = Machine()
        #expect(machine.acceptsMessages)
        guard case .startPollThread = machine.run("run") else { Issue.record(); return }
        guard case .failAlreadyRunning("again") = machine.run("again") else { Issue.record(); return }
        guard case .poll = machine.nextPollAction() else { Issue.record(); return }
        guard case .wakePollThread = machine.shutdown("stop") else { Issue.record(); return }
        #expect(!machine.acceptsMessages)
        guard case .drain = machine.nextPollAction() else { Issue.record(); return }
        let (waiters, flushes) = machine.finished()
        #expect(waiters == ["run", "stop"])
        #expect(flushes.isEmpty)
        guard case .resume("late") = machine.run("late") else { Issue.record(); return }
    }

    @Test("flushes go to the poll thread while running and fail when it is not running")
    func flushes() {
        var machine = Machine()
        guard case .failNotRunning("f0") = machine.flush("f0") else { Issue.record(); return }
        _ = machine.run("run")
        guard case .wakePollThread = machine.flush("f1") else { Issue.record(); return }
        guard case .flush(let requests) = machine.nextPollAction() else { Issue.record(); return }
        #expect(requests == ["f1"])
        guard case .poll = machine.nextPollAction() else { Issue.record(); return }
    }

    @Test("a flush pending at shutdown is answered when the drain ends")
    func flushAtShutdown() {
        var machine = Machine()
        _ = machine.run("run")
        _ = machine.shutdown(nil)
        _ = machine.flush("f")
        #expect(machine.finished().flushes == ["f"])
    }

    @Test("shutdown of a producer that never ran drains on a thread of its own")
    func shutdownBeforeRun() {
        var machine = Machine()
        guard case .startDrainThread = machine.shutdown("stop") else { Issue.record(); return }
        guard case .none = machine.shutdown("again") else { Issue.record(); return }
        #expect(machine.finished().waiters == ["stop", "again"])
        guard case .resume("after") = machine.shutdown("after") else { Issue.record(); return }
    }
}
