import CurlHTTP
import Foundation
import InferenceProtocol
import TestSupport
import Testing
import TritonClient

@testable import Routing

@Suite(
    "ModelRouter against the stack's Tritons", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct ModelRouterIntegrationTests {
    @Test("round-robin spreads sequential requests exactly evenly and answers correctly")
    func roundRobinEvenness() async throws {
        try await RouterFixture.with(backends: try RouterFixture.stackBackends()) { fixture in
            var counts: [String: Int] = [:]
            for _ in 0..<200 {
                let response = try await fixture.router.forward(inferRequest(model: "simple"))
                #expect(response.status == 200)
                let decoded = try InferenceCodec.decodeResponse(response.body, jsonHeaderLength: nil)
                #expect(try decoded.output(named: "OUTPUT0")?.values(as: Int32.self) == (1...16).map(Int32.init))
                counts[response.header("x-routed-backend") ?? "?", default: 0] += 1
            }
            #expect(counts == ["triton-a": 100, "triton-b": 100])
        }
    }

    @Test("a 90/10 canary lands within ±3 points over 2,000 requests; responses carry the version")
    func canarySplit() async throws {
        let route = ModelRoute(
            model: "digits", targets: [RouteTarget(version: "1", weight: 90), RouteTarget(version: "2", weight: 10)])
        let digit = try digitInferRequest()
        try await RouterFixture.with(backends: try RouterFixture.stackBackends(), routes: [route]) { fixture in
            let versions = try await withThrowingTaskGroup(of: String.self) { group in
                var counts: [String: Int] = [:]
                for index in 0..<2000 {
                    if index >= 16, let version = try await group.next() { counts[version, default: 0] += 1 }
                    group.addTask {
                        let response = try await fixture.router.forward(digit)
                        #expect(response.status == 200)
                        let decoded = try InferenceCodec.decodeResponse(
                            response.body,
                            jsonHeaderLength: response.header("Inference-Header-Content-Length").flatMap(Int.init))
                        #expect(decoded.modelVersion == response.header("x-routed-version"))
                        return response.header("x-routed-version") ?? "?"
                    }
                }
                for try await version in group { counts[version, default: 0] += 1 }
                return counts
            }
            let share = Double(versions["2", default: 0]) / 2000
            print("canary split over 2000 requests: \(versions)")
            #expect(abs(share - 0.10) <= 0.03, "version 2 got \(share * 100)%: \(versions)")
            #expect(versions["1", default: 0] + versions["2", default: 0] == 2000)
        }
    }

    @Test("a sticky key keeps one caller on one version; a pinned version is honoured")
    func stickyAndPinned() async throws {
        let route = ModelRoute(
            model: "digits", targets: [RouteTarget(version: "1", weight: 50), RouteTarget(version: "2", weight: 50)])
        try await RouterFixture.with(backends: try RouterFixture.stackBackends(), routes: [route]) { fixture in
            var digit = try digitInferRequest()
            for key in ["alice", "bob", "carol", "dave"] {
                var seen: Set<String> = []
                digit.stickyKey = key
                for _ in 0..<20 {
                    let response = try await fixture.router.forward(digit)
                    seen.insert(response.header("x-routed-version") ?? "?")
                }
                #expect(seen.count == 1, "key \(key) saw \(seen)")
            }
            let pinned = try await fixture.router.forward(
                UpstreamRequest(method: "GET", path: "/v2/models/digits/versions/2"))
            #expect(pinned.header("x-routed-version") == "2")
            let metadata = try JSONDecoder().decode(ModelMetadata.self, from: pinned.body)
            #expect(metadata.versions == ["2"])

            let unrouted = await #expect(throws: InferenceError.self) {
                _ = try await fixture.router.forward(
                    UpstreamRequest(method: "GET", path: "/v2/models/digits/versions/9"))
            }
            #expect(unrouted?.httpStatus == 404)
        }
    }

    @Test("a client error passes through as Triton's 400 and never trips the breaker")
    func clientErrorsDoNotTrip() async throws {
        try await RouterFixture.with(backends: try RouterFixture.stackBackends()) { fixture in
            let bad = Data(#"{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[1]}]}"#.utf8)
            for _ in 0..<30 {
                let response = try await fixture.router.forward(
                    UpstreamRequest(method: "POST", path: "/v2/models/simple/infer", body: bad))
                #expect(response.status == 400)
            }
            #expect(fixture.router.breakerState(of: "triton-a") == .closed)
            #expect(fixture.router.breakerState(of: "triton-b") == .closed)
        }
    }

    @Test("with a deadline, Triton accepts the injected timeout parameter (JSON and binary bodies)")
    func deadlineReachesTriton() async throws {
        try await RouterFixture.with(backends: try RouterFixture.stackBackends()) { fixture in
            let json = try await fixture.router.forward(inferRequest(model: "simple", deadline: .now + .seconds(5)))
            #expect(json.status == 200, "\(String(decoding: json.body, as: UTF8.self))")
            var binary = try digitInferRequest()
            binary.deadline = .now + .seconds(5)
            let answer = try await fixture.router.forward(binary)
            #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
        }
    }

    @Test("a backend that never answers: 504 once the client's deadline passes, not retried elsewhere")
    func deadlineExceeded() async throws {
        let silent = try SilentTCPServer()
        let live = try RouterFixture.stackBackends()[0]
        let backends = [BackendDescriptor(id: "silent", url: silent.url), live]
        try await RouterFixture.with(backends: backends, routes: [Self.pinned("simple", to: "silent")]) { fixture in
            let error = await #expect(throws: InferenceError.self) {
                _ = try await fixture.router.forward(
                    inferRequest(model: "simple", deadline: .now + .milliseconds(300)))
            }
            #expect(error?.httpStatus == 504)
            #expect(error?.message.contains("silent") == true, "\(error?.message ?? "")")
        }
    }

    @Test("every backend down: 503 naming each backend's failure")
    func allBackendsDown() async throws {
        let backends = [
            BackendDescriptor(id: "down-1", url: "http://127.0.0.1:1"),
            BackendDescriptor(id: "down-2", url: "http://127.0.0.1:2"),
        ]
        try await RouterFixture.with(backends: backends, routes: [.single("simple")]) { fixture in
            for _ in 0..<5 {
                let error = await #expect(throws: InferenceError.self) {
                    _ = try await fixture.router.forward(inferRequest(model: "simple"))
                }
                #expect(error?.httpStatus == 503)
                #expect(error?.message.contains("down-") == true, "\(error?.message ?? "")")
            }
        }
    }

    @Test("a refused connection is retried on the other backend: the client sees no error")
    func retryOnRefused() async throws {
        let live = try RouterFixture.stackBackends()[0]
        let backends = [BackendDescriptor(id: "dead", url: "http://127.0.0.1:1"), live]
        try await RouterFixture.with(backends: backends) { fixture in
            for _ in 0..<20 {
                let response = try await fixture.router.forward(inferRequest(model: "simple"))
                #expect(response.status == 200)
                #expect(response.header("x-routed-backend") == live.id.rawValue)
            }
            #expect(fixture.router.breakerState(of: "dead") == .open)
        }
    }

    @Test("a backend that hangs up after receiving the request: 502, never resent to another backend")
    func noRetryAfterSend() async throws {
        let crashing = try HangUpTCPServer()
        let live = try RouterFixture.stackBackends()[0]
        let backends = [BackendDescriptor(id: "crashing", url: crashing.url), live]
        try await RouterFixture.with(backends: backends, routes: [.single("simple")]) { fixture in
            let before = crashing.requestsReceived
            var failed = 0
            var served = 0
            for _ in 0..<12 {
                do {
                    let response = try await fixture.router.forward(inferRequest(model: "simple"))
                    #expect(response.status == 200)
                    #expect(response.header("x-routed-backend") == live.id.rawValue)
                    served += 1
                } catch let error as InferenceError {
                    #expect(error.httpStatus == 502, "\(error)")
                    #expect(error.message.contains("crashing"), "\(error)")
                    failed += 1
                }
            }
            // Each request the crashing backend received failed for its client: none was sent on
            // to the live backend after it may have run (or crashed) on the first.
            #expect(failed >= 1)
            #expect(failed == crashing.requestsReceived - before)
            #expect(served + failed == 12)
        }
    }

    @Test("an in-process caller's impossible Inference-Header-Content-Length is 400 and no backend fault")
    func badHeaderLengthInProcess() async throws {
        try await RouterFixture.with(backends: try RouterFixture.stackBackends()) { fixture in
            for value in ["-1", "x", "100000"] {
                var request = inferRequest(model: "simple", deadline: .now + .seconds(5))
                request.headers.append((name: "Inference-Header-Content-Length", value: value))
                let error = await #expect(throws: InferenceError.self) { _ = try await fixture.router.forward(request) }
                #expect(error?.httpStatus == 400, "\(value)")
            }
            #expect(fixture.router.breakerState(of: "triton-a") == .closed)
            #expect(fixture.router.breakerState(of: "triton-b") == .closed)
        }
    }

    /// A route sending all of `model` to one backend.
    static func pinned(_ model: String, to backend: BackendID) -> ModelRoute {
        ModelRoute(model: model, targets: [RouteTarget(weight: 1, backends: [backend])])
    }
}
