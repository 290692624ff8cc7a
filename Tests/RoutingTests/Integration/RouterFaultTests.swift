import CurlHTTP
import Foundation
import TestSupport
import Testing

/// Kills a Triton under load. It disturbs the shared stack, so it runs on its own:
/// `FAULT_TESTS=1 swift test --filter RouterFaultTests` (scripts/test.sh does this last).
@Suite(
    "Router under a backend crash", .serialized, .timeLimit(.minutes(4)),
    .enabled(if: ProcessInfo.processInfo.environment["FAULT_TESTS"] == "1", "set FAULT_TESTS=1 to kill a Triton"))
struct RouterFaultTests {
    @Test("kill triton-a under load: ≤ 0.5% client errors, breaker opens, traffic returns once it is back")
    func killAndRestart() async throws {
        let routerURL = try StackEnvironment.current.require("ROUTER_URL")
        let token = try StackEnvironment.current.require("ROUTER_ADMIN_TOKEN")
        let load = LoadGenerator(routerURL: routerURL, workers: 8)
        let loadTask = Task { await load.run(until: .now + .seconds(40)) }

        progress("warmUp")
        #expect(try await load.waitFor(within: .seconds(10)) { $0["triton-a", default: 0] >= 100 })
        progress("kill")
        let killed = try await ProcessRunner.stack("kill", "triton-a")
        #expect(killed.status == 0, "\(killed.errorOutput)")
        progress("waitOpen")
        let openSeen = try await AdminProbe.waitFor(routerURL, token: token, within: .seconds(10)) {
            $0["triton-a"]?.breaker == "open" || $0["triton-a"]?.health == "unhealthy"
        }
        #expect(openSeen, "the router took triton-a out of rotation")
        progress("waitBreaker")
        let breakerOpened = try await AdminProbe.waitFor(routerURL, token: token, within: .seconds(5)) {
            $0["triton-a"]?.breaker == "open"
        }
        // Serve a while on triton-b alone before bringing triton-a back.
        let servedByB = await load.counts["triton-b", default: 0]
        #expect(try await load.waitFor(within: .seconds(10)) { $0["triton-b", default: 0] >= servedByB + 200 })

        progress("start")
        let started = try await ProcessRunner.stack("start", "triton-a")
        #expect(started.status == 0, "\(started.errorOutput)")
        progress("waitRejoin")
        let rejoined = try await AdminProbe.waitFor(routerURL, token: token, within: .seconds(10)) {
            $0["triton-a"]?.health == "healthy" && $0["triton-a"]?.breaker == "closed"
        }
        progress("served")
        let servedBefore = await load.counts["triton-a", default: 0]
        let trafficReturned = try await load.waitFor(within: .seconds(10)) {
            $0["triton-a", default: 0] > servedBefore
        }
        progress("cancelLoad")
        loadTask.cancel()
        await loadTask.value

        progress("done")
        let total = await load.total
        let errors = await load.errors
        let sampleErrors = await load.sampleErrors
        let counts = await load.counts
        print(
            "router fault test: \(total) requests, \(errors) client-visible errors, breaker opened: \(breakerOpened), "
                + "rejoined: \(rejoined), backend counts \(counts)")
        #expect(total > 500)
        #expect(Double(errors) <= Double(total) * 0.005, "errors \(errors) of \(total): \(sampleErrors)")
        #expect(breakerOpened)
        #expect(rejoined, "triton-a is healthy with a closed breaker again")
        #expect(trafficReturned, "traffic returned to triton-a")
    }
}

/// Marks progress on standard error (unbuffered), so a stuck step is visible in the log.
private func progress(_ step: String) {
    FileHandle.standardError.write(Data("fault-test: \(step) at \(ContinuousClock.now)\n".utf8))
}

/// Bounded steady load: `workers` loops of `simple` infers through the router.
actor LoadGenerator {
    private let client: String
    private let workers: Int
    private(set) var total = 0
    private(set) var errors = 0
    private(set) var counts: [String: Int] = [:]
    private(set) var sampleErrors: [String] = []

    init(routerURL: String, workers: Int) {
        client = routerURL
        self.workers = workers
    }

    func run(until end: ContinuousClock.Instant) async {
        let transport = CurlHTTPTransport()
        let body = Data(
            #"{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}"#
                .utf8)
        let request = HTTPRequestSpec(
            method: "POST", url: client + "/v2/models/simple/infer",
            headers: [(name: "Content-Type", value: "application/json")], body: body, timeout: .seconds(5))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var sent = 0
                    while ContinuousClock.now < end, !Task.isCancelled, sent < 20_000 {
                        sent += 1
                        do {
                            let response = try await transport.execute(request)
                            await self.record(status: response.status, backend: response.header("x-routed-backend"))
                        } catch {
                            if Task.isCancelled { break }
                            await self.record(error: "\(error)")
                        }
                    }
                }
            }
        }
        await transport.shutdown()
    }

    /// Polls the per-backend success counts until `condition` holds or `limit` passes.
    func waitFor(within limit: Duration, _ condition: ([String: Int]) -> Bool) async throws -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if condition(counts) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition(counts)
    }

    private func record(status: Int, backend: String?) {
        total += 1
        if status == 200 {
            counts[backend ?? "?", default: 0] += 1
        } else {
            record(error: "HTTP \(status)")
            total -= 1
        }
    }

    private func record(error: String) {
        total += 1
        errors += 1
        if sampleErrors.count < 5 { sampleErrors.append(error) }
    }
}

/// Reads `GET /admin/backends` of the router, with its admin token.
enum AdminProbe {
    struct Backend: Decodable {
        let name: String
        let health: String
        let breaker: String
    }

    struct Backends: Decodable { let backends: [Backend] }

    /// Polls until `condition` holds on the backends by name, or `within` passes.
    static func waitFor(
        _ routerURL: String, token: String, within limit: Duration, _ condition: ([String: Backend]) -> Bool
    ) async throws -> Bool {
        let transport = CurlHTTPTransport()
        defer { Task { await transport.shutdown() } }
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            let response = try await transport.execute(
                HTTPRequestSpec(
                    method: "GET", url: routerURL + "/admin/backends",
                    headers: [(name: "Authorization", value: "Bearer \(token)")], timeout: .seconds(2)))
            let decoded = try JSONDecoder().decode(Backends.self, from: response.body)
            if condition(Dictionary(uniqueKeysWithValues: decoded.backends.map { ($0.name, $0) })) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
