import Testing

@testable import RateLimiting

@Suite struct RedisAvailabilityStateMachineTests {
    let start = ContinuousClock.now

    @Test func reportsEachChangeOnceAndNothingElse() {
        var machine = RedisAvailabilityStateMachine(probeInterval: .seconds(1))
        #expect(machine.state == .available)
        #expect(machine.succeeded() == nil)
        #expect(machine.failed(now: start) == .becameUnavailable)
        #expect(machine.failed(now: start) == nil)
        #expect(machine.failed(now: start + .milliseconds(10)) == nil)
        #expect(machine.state == .unavailable)
        #expect(machine.succeeded() == .becameAvailable)
        #expect(machine.succeeded() == nil)
        #expect(machine.state == .available)
    }

    @Test func duringAnOutageOneProbeAtATimeAtMostOncePerInterval() {
        var machine = RedisAvailabilityStateMachine(probeInterval: .seconds(1))
        #expect(machine.requestArrived(now: start) == .askRedis)
        _ = machine.failed(now: start)
        #expect(machine.requestArrived(now: start + .milliseconds(500)) == .useFailureMode)
        #expect(machine.requestArrived(now: start + .seconds(1)) == .probe)
        #expect(machine.requestArrived(now: start + .seconds(5)) == .useFailureMode)
        _ = machine.failed(now: start + .seconds(5))
        #expect(machine.requestArrived(now: start + .milliseconds(5_999)) == .useFailureMode)
        #expect(machine.requestArrived(now: start + .seconds(6)) == .probe)
        #expect(machine.succeeded() == .becameAvailable)
        #expect(machine.requestArrived(now: start + .seconds(6)) == .askRedis)
    }

    @Test func abandonedProbeLetsTheNextRequestProbe() {
        var machine = RedisAvailabilityStateMachine(probeInterval: .seconds(1))
        _ = machine.failed(now: start)
        #expect(machine.requestArrived(now: start + .seconds(2)) == .probe)
        #expect(machine.requestArrived(now: start + .seconds(2)) == .useFailureMode)
        machine.probeAbandoned()
        #expect(machine.requestArrived(now: start + .seconds(2)) == .probe)
    }
}
