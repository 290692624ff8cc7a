import Routing
import Testing

@Suite struct ActiveHealthStateTests {
    typealias Probe = ActiveHealthState.ProbeResult
    let time = TestTime()
    let backend: BackendID = "triton-a"

    @Test func firstProbeSetsTheStatusAtOnce() {
        var health = ActiveHealthState()
        #expect(health.status(of: backend) == .unknown)
        #expect(health.isRoutable(backend, model: "resnet50"))
        let transitions = health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(0))
        #expect(transitions.map(\.to) == [.unhealthy])
        #expect(!health.isRoutable(backend, model: "resnet50"))
        #expect(health.lastProbe(of: backend) == time.at(0))
    }

    @Test func unhealthyOnlyAfterTheThresholdOfFailedProbes() {
        var health = ActiveHealthState(configuration: .init(unhealthyThreshold: 3, healthyThreshold: 2))
        _ = health.record(backend: backend, probe: Probe(serverReady: true), now: time.at(0))
        #expect(health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(5)).isEmpty)
        #expect(health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(10)).isEmpty)
        #expect(health.status(of: backend) == .healthy)
        let transitions = health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(15))
        #expect(transitions == [.init(backend: backend, model: nil, from: .healthy, to: .unhealthy)])
    }

    @Test func aGoodProbeInterruptsTheFailureRun() {
        var health = ActiveHealthState(configuration: .init(unhealthyThreshold: 3))
        _ = health.record(backend: backend, probe: Probe(serverReady: true), now: time.at(0))
        for second in 1...30 {
            let ready = second % 3 == 0
            _ = health.record(backend: backend, probe: Probe(serverReady: ready), now: time.at(second))
        }
        #expect(health.status(of: backend) == .healthy)
    }

    @Test func healthyAgainOnlyAfterTheThresholdOfGoodProbes() {
        var health = ActiveHealthState(configuration: .init(unhealthyThreshold: 1, healthyThreshold: 2))
        _ = health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(0))
        #expect(health.record(backend: backend, probe: Probe(serverReady: true), now: time.at(5)).isEmpty)
        #expect(health.status(of: backend) == .unhealthy)
        let transitions = health.record(backend: backend, probe: Probe(serverReady: true), now: time.at(10))
        #expect(transitions.map(\.to) == [.healthy])
    }

    @Test func modelsAreTrackedSeparately() {
        var health = ActiveHealthState(configuration: .init(unhealthyThreshold: 2))
        let ready = Probe(serverReady: true, modelsReady: ["resnet50": true, "bert": true])
        _ = health.record(backend: backend, probe: ready, now: time.at(0))
        let bertDown = Probe(serverReady: true, modelsReady: ["resnet50": true, "bert": false])
        _ = health.record(backend: backend, probe: bertDown, now: time.at(5))
        let transitions = health.record(backend: backend, probe: bertDown, now: time.at(10))
        #expect(transitions == [.init(backend: backend, model: "bert", from: .healthy, to: .unhealthy)])
        #expect(!health.isRoutable(backend, model: "bert"))
        #expect(health.isRoutable(backend, model: "resnet50"))
        // A probe that leaves a model out keeps that model's status.
        _ = health.record(backend: backend, probe: Probe(serverReady: true), now: time.at(15))
        #expect(health.status(of: "bert", on: backend) == .unhealthy)
    }

    @Test func anUnhealthyServerMakesEveryModelUnroutable() {
        var health = ActiveHealthState(configuration: .init(unhealthyThreshold: 1))
        _ = health.record(
            backend: backend, probe: Probe(serverReady: true, modelsReady: ["resnet50": true]), now: time.at(0))
        _ = health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(5))
        #expect(health.status(of: "resnet50", on: backend) == .unhealthy)
        #expect(health.isRoutable("triton-b", model: "resnet50"))
    }

    @Test func retainForgetsRemovedBackends() {
        var health = ActiveHealthState()
        _ = health.record(backend: backend, probe: Probe(serverReady: false), now: time.at(0))
        health.retain(backends: ["triton-b"])
        #expect(health.status(of: backend) == .unknown)
    }
}
