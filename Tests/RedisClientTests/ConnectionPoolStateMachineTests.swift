import Testing

@testable import RedisClient

@Suite struct ConnectionPoolStateMachineTests {
    typealias Machine = ConnectionPoolStateMachine<String, String>
    let start = ContinuousClock.now

    private func granted(_ action: Machine.LeaseAction) -> ConnectionGrant<String>? {
        if case .grant(let grant) = action { return grant }
        return nil
    }

    @Test func opensLazilyUpToTheMaximumThenQueues() {
        var machine = Machine(maximumConnections: 2, healthCheckInterval: .seconds(30))
        #expect(machine.openConnections == 0)
        guard case .open = granted(machine.lease(id: 1, waiter: "a", now: start)) else {
            Issue.record("first lease must open a connection")
            return
        }
        guard case .open = granted(machine.lease(id: 2, waiter: "b", now: start)) else {
            Issue.record("second lease must open a connection")
            return
        }
        guard case .wait = machine.lease(id: 3, waiter: "c", now: start) else {
            Issue.record("third lease must wait")
            return
        }
        #expect(machine.openConnections == 2)
        #expect(machine.waiterCount == 1)

        // A returned connection goes straight to the waiter, without a health check.
        let action = machine.release("conn-1", reusable: true, now: start)
        #expect(action.discard == nil)
        #expect(action.resume?.waiter == "c")
        guard case .connection("conn-1", checkHealth: false) = action.resume?.grant else {
            Issue.record("the waiter must receive the returned connection")
            return
        }
        #expect(machine.waiterCount == 0)
    }

    @Test func reusesIdleConnectionsAndChecksStaleOnes() {
        var machine = Machine(maximumConnections: 1, healthCheckInterval: .seconds(30))
        _ = machine.lease(id: 1, waiter: "a", now: start)
        _ = machine.release("conn", reusable: true, now: start)
        #expect(machine.idleCount == 1)
        guard
            case .connection("conn", checkHealth: false) = granted(
                machine.lease(id: 2, waiter: "b", now: start + .seconds(5)))
        else {
            Issue.record("a fresh idle connection is reused as is")
            return
        }
        _ = machine.release("conn", reusable: true, now: start + .seconds(5))
        guard
            case .connection("conn", checkHealth: true) = granted(
                machine.lease(id: 3, waiter: "c", now: start + .seconds(60)))
        else {
            Issue.record("a connection idle past the interval is checked first")
            return
        }
    }

    @Test func brokenConnectionIsDiscardedAndItsSlotGoesToAWaiter() {
        var machine = Machine(maximumConnections: 1, healthCheckInterval: .seconds(30))
        _ = machine.lease(id: 1, waiter: "a", now: start)
        _ = machine.lease(id: 2, waiter: "b", now: start)
        let action = machine.release("broken", reusable: false, now: start)
        #expect(action.discard == "broken")
        #expect(action.resume?.waiter == "b")
        guard case .open = action.resume?.grant else {
            Issue.record("the waiter must be allowed to open a replacement")
            return
        }
        #expect(machine.openConnections == 1)
        #expect(machine.idleCount == 0)
    }

    @Test func failedOpenFailsTheQueueOnlyWhenNothingElseCanServeIt() {
        var machine = Machine(maximumConnections: 2, healthCheckInterval: .seconds(30))
        _ = machine.lease(id: 1, waiter: "a", now: start)
        _ = machine.lease(id: 2, waiter: "b", now: start)
        _ = machine.lease(id: 3, waiter: "c", now: start)
        _ = machine.lease(id: 4, waiter: "d", now: start)
        #expect(machine.openFailed() == [])
        #expect(machine.waiterCount == 2)
        #expect(machine.openFailed() == ["c", "d"])
        #expect(machine.openConnections == 0)
        #expect(machine.waiterCount == 0)
    }

    @Test func cancelledWaiterIsRemovedOnce() {
        var machine = Machine(maximumConnections: 1, healthCheckInterval: .seconds(30))
        _ = machine.lease(id: 1, waiter: "a", now: start)
        _ = machine.lease(id: 2, waiter: "b", now: start)
        _ = machine.lease(id: 3, waiter: "c", now: start)
        #expect(machine.cancelWaiter(id: 2) == "b")
        #expect(machine.cancelWaiter(id: 2) == nil)
        #expect(machine.release("conn", reusable: true, now: start).resume?.waiter == "c")
    }

    @Test func unusedGrantsAreReturned() {
        var machine = Machine(maximumConnections: 1, healthCheckInterval: .seconds(30))
        let grant = granted(machine.lease(id: 1, waiter: "a", now: start))
        _ = machine.lease(id: 2, waiter: "b", now: start)
        let action = machine.returnUnused(grant!, now: start)
        #expect(action.resume?.waiter == "b")
        #expect(machine.openConnections == 1)
    }

    @Test func shutDownClosesIdleFailsWaitersAndDiscardsReturningConnections() {
        var machine = Machine(maximumConnections: 2, healthCheckInterval: .seconds(30))
        _ = machine.lease(id: 1, waiter: "a", now: start)
        _ = machine.lease(id: 2, waiter: "b", now: start)
        _ = machine.release("idle", reusable: true, now: start)
        _ = machine.lease(id: 3, waiter: "c", now: start)
        _ = machine.lease(id: 4, waiter: "d", now: start)
        let (discard, fail) = machine.shutDown()
        #expect(discard == [])
        #expect(fail == ["d"])
        #expect(machine.release("leased", reusable: true, now: start).discard == "leased")
        #expect(machine.release("idle", reusable: true, now: start).discard == "idle")
        #expect(machine.openConnections == 0)
        guard case .fail = machine.lease(id: 5, waiter: "e", now: start) else {
            Issue.record("a shut-down pool refuses leases")
            return
        }
        #expect(machine.shutDown().fail.isEmpty)
    }
}
