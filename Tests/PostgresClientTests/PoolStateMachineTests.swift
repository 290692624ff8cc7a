import Testing

@testable import PostgresClient

@Suite("Connection pool state machine")
struct PoolStateMachineTests {
    typealias Machine = PoolStateMachine<String>

    @Test("leases open connections up to the limit, then queue")
    func opensUpToLimit() {
        var machine = Machine(maximumConnections: 2)
        #expect(isWait(machine.lease(waiter: 1), opening: true))
        #expect(isWait(machine.lease(waiter: 2), opening: true))
        #expect(isWait(machine.lease(waiter: 3), opening: false))
        #expect(machine.opening == 2)
        #expect(machine.waiters == [1, 2, 3])
    }

    @Test("opened connections go to waiters first come, first served")
    func servesWaitersInOrder() {
        var machine = Machine(maximumConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        guard case .resume(let waiter, let connection) = machine.opened("a") else {
            Issue.record("expected the first waiter to get the connection")
            return
        }
        #expect(waiter == 1 && connection == "a")
        guard case .resume(let next, _) = machine.release("a", reusable: true) else {
            Issue.record("expected the second waiter to get the released connection")
            return
        }
        #expect(next == 2)
        guard case .none = machine.release("a", reusable: true) else {
            Issue.record("expected the connection to become idle")
            return
        }
        guard case .use(let reused) = machine.lease(waiter: 3) else {
            Issue.record("expected the idle connection to be reused")
            return
        }
        #expect(reused == "a")
    }

    @Test("a broken connection is closed and replaced only when someone waits")
    func replacesBrokenConnection() {
        var machine = Machine(maximumConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.opened("a")
        guard case .close("a", openReplacement: false) = machine.release("a", reusable: false) else {
            Issue.record("expected a plain close with nobody waiting")
            return
        }
        #expect(isWait(machine.lease(waiter: 2), opening: true))
        _ = machine.opened("b")
        _ = machine.lease(waiter: 3)
        guard case .close("b", openReplacement: true) = machine.release("b", reusable: false) else {
            Issue.record("expected a replacement for the queued waiter")
            return
        }
        #expect(machine.opening == 1)
    }

    @Test("a failed open fails only the waiters nobody else can serve")
    func failedOpenFailsExcessWaiters() {
        var machine = Machine(maximumConnections: 2)
        _ = machine.lease(waiter: 1)
        _ = machine.opened("a")  // waiter 1 holds "a"
        _ = machine.lease(waiter: 2)  // opens the second connection
        _ = machine.lease(waiter: 3)  // waits for either
        #expect(machine.openFailed() == [2])
        #expect(machine.waiters == [3])
        #expect(machine.opening == 0)
        // With nothing leased or opening, every waiter fails.
        var idle = Machine(maximumConnections: 1)
        _ = idle.lease(waiter: 1)
        _ = idle.lease(waiter: 2)
        #expect(idle.openFailed() == [1, 2])
    }

    @Test("a cancelled waiter leaves the queue")
    func cancelRemovesWaiter() {
        var machine = Machine(maximumConnections: 1)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        let cancelled = machine.cancel(waiter: 1)
        let cancelledAgain = machine.cancel(waiter: 1)
        #expect(cancelled)
        #expect(!cancelledAgain)
        guard case .resume(2, "a") = machine.opened("a") else {
            Issue.record("expected the remaining waiter to be served")
            return
        }
    }

    @Test("closing fails waiters, closes idle connections and later returns")
    func closeDrains() {
        var machine = Machine(maximumConnections: 3)
        _ = machine.lease(waiter: 1)
        _ = machine.lease(waiter: 2)
        _ = machine.opened("a")  // to waiter 1
        _ = machine.opened("b")  // to waiter 2
        _ = machine.release("b", reusable: true)  // idle
        _ = machine.lease(waiter: 3)  // gets "b"
        _ = machine.release("b", reusable: true)
        _ = machine.lease(waiter: 4)
        let waiting = machine.lease(waiter: 5)
        #expect(isWait(waiting, opening: true))
        let closed = machine.close()
        #expect(closed.waiters == [5])
        #expect(closed.idle.isEmpty)
        guard case .close("a", openReplacement: false) = machine.release("a", reusable: true) else {
            Issue.record("expected a connection returned after close to be closed")
            return
        }
        guard case .close("c") = machine.opened("c") else {
            Issue.record("expected a connection opened after close to be closed")
            return
        }
        guard case .failClosed = machine.lease(waiter: 6) else {
            Issue.record("expected leases after close to fail")
            return
        }
    }

    private func isWait(_ action: Machine.LeaseAction, opening: Bool) -> Bool {
        if case .wait(let openConnection) = action { return openConnection == opening }
        return false
    }
}
