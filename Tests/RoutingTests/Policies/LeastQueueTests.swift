import Resilience
import Testing

@testable import Routing

@Suite("least_queue: Triton's queue readings and the balancer")
struct LeastQueueTests {
    static let exposition = """
        # HELP nv_inference_pending_request_count Instantaneous number of pending requests
        # TYPE nv_inference_pending_request_count gauge
        nv_inference_pending_request_count{model="faulty",version="1"} 3
        nv_inference_pending_request_count{model="digits",version="1"} 1
        nv_inference_pending_request_count{model="digits",version="2"} 2
        nv_inference_queue_duration_us{model="faulty",version="1"} 5000
        nv_inference_request_success{model="faulty",version="1"} 10
        nv_inference_request_failure{model="faulty",version="1"} 2
        nv_inference_exec_count{model="faulty",version="1"} 12
        nv_inference_pending_request_count{model="broken",version="1"} not-a-number
        nv_inference_pending_request_count{version="1"} 9
        nv_gpu_utilization{gpu_uuid="x"} 0.5
        """

    @Test("pending, queue time and request counts are summed per model over versions; odd lines are skipped")
    func parse() {
        let samples = TritonQueueSample.parse(Substring(Self.exposition))
        #expect(samples["faulty"] == TritonQueueSample(pending: 3, queueMicroseconds: 5000, requests: 12))
        #expect(samples["digits"]?.pending == 3)
        #expect(samples["broken"] == nil)
        #expect(samples.count == 2)
    }

    @Test("the queue time is the mean between two readings; readings older than four intervals do not count")
    func loads() {
        let start = ContinuousClock.now
        var queues = BackendQueues(staleAfter: .seconds(2))
        queues.record(
            backend: "a", samples: ["m": .init(pending: 4, queueMicroseconds: 1000, requests: 10)], now: start)
        #expect(queues.load(of: "m", on: "a", now: start) == .init(pending: 4, queueTime: .zero))
        let later = start + .milliseconds(500)
        queues.record(
            backend: "a", samples: ["m": .init(pending: 1, queueMicroseconds: 21000, requests: 20)], now: later)
        #expect(queues.load(of: "m", on: "a", now: later) == .init(pending: 1, queueTime: .milliseconds(2)))
        #expect(queues.load(of: "m", on: "a", now: later + .seconds(3)) == nil)
        #expect(queues.load(of: "other", on: "a", now: later) == nil)
    }

    @Test("the balancer takes the fewest waiting requests per weight, then the shorter queue time, then each in turn")
    func picks() {
        var balancer = LeastQueueBalancer()
        var rng = SeededGenerator(seed: 1)
        let busy = BackendCandidate(id: "a", outstanding: 1, queued: 4)
        let idle = BackendCandidate(id: "b", outstanding: 2, queued: 0)
        #expect(balancer.pick(from: [busy, idle], using: &rng) == "b")
        let heavy = BackendCandidate(id: "c", weight: 3, outstanding: 3, queued: 3)
        #expect(balancer.pick(from: [busy, heavy], using: &rng) == "c")
        let slow = BackendCandidate(id: "a", outstanding: 1, queueTime: .milliseconds(50))
        let quick = BackendCandidate(id: "b", outstanding: 1, queueTime: .milliseconds(1))
        #expect(balancer.pick(from: [slow, quick], using: &rng) == "b")
        let even = [BackendCandidate(id: "a"), BackendCandidate(id: "b"), BackendCandidate(id: "c")]
        let picks = (0..<6).compactMap { _ in balancer.pick(from: even, using: &rng) }
        #expect(Set(picks) == ["a", "b", "c"])
        #expect(balancer.pick(from: [busy, idle], excluding: ["b"], using: &rng) == "a")
        #expect(balancer.pick(from: [BackendCandidate(id: "z", weight: 0)], using: &rng) == nil)
    }
}
