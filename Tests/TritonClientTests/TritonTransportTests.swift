import Foundation
import InferenceProtocol
import TestSupport
import Testing

import CurlHTTP
@testable import TritonClient

@Suite(
    "Triton over libcurl: concurrency, keep-alive, deadlines", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct TritonTransportTests {
    @Test("200 concurrent infers with seeded inputs all return the right answer")
    func concurrentInfers() async throws {
        try await TritonFixture.with(maxConnectionsPerHost: 8) { fixture in
            var generator = SplitMix64(seed: 42)
            let cases: [([Int32], [Int32])] = (0..<200).map { _ in
                (
                    (0..<16).map { _ in Int32.random(in: -1_000_000...1_000_000, using: &generator) },
                    (0..<16).map { _ in Int32.random(in: -1_000_000...1_000_000, using: &generator) }
                )
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, (a, b)) in cases.enumerated() {
                    let client = fixture.clients[index % fixture.clients.count]
                    group.addTask {
                        let response = try await client.infer(
                            simpleRequest(a, b, binaryOutputs: index.isMultiple(of: 2)), model: "simple",
                            version: nil, deadline: nil, binaryInputs: index.isMultiple(of: 3))
                        try expectSimpleOutputs(response, a, b)
                    }
                }
                try await group.waitForAll()
            }
            let cap = 8 * fixture.clients.count
            #expect(fixture.transport.connectionsOpened <= cap, "opened \(fixture.transport.connectionsOpened)")
        }
    }

    @Test("500 sequential calls reuse kept-alive connections (never more than the cap)")
    func connectionReuse() async throws {
        try await TritonFixture.with(maxConnectionsPerHost: 2) { fixture in
            let a = [Int32](repeating: 3, count: 16)
            let b = [Int32](repeating: 4, count: 16)
            for _ in 0..<500 {
                let response = try await fixture.first.infer(
                    simpleRequest(a, b), model: "simple", version: nil, deadline: nil)
                try expectSimpleOutputs(response, a, b)
            }
            #expect(fixture.transport.transfersCompleted == 500)
            #expect(fixture.transport.connectionsOpened >= 1)
            #expect(fixture.transport.connectionsOpened <= 2, "opened \(fixture.transport.connectionsOpened)")
        }
    }

    @Test("a server that never answers: the deadline ends the call promptly with `timedOut`")
    func deadline() async throws {
        let silent = try SilentTCPServer()
        let transport = CurlHTTPTransport()
        let client = TritonHTTPClient(baseURL: silent.url, transport: transport)
        let start = ContinuousClock.now
        let error = try await #require(throws: UpstreamError.self) {
            _ = try await client.serverReady(deadline: start + .milliseconds(300))
        }
        let elapsed = start.duration(to: .now)
        #expect(error.isTimeout, "got \(error)")
        #expect(!error.isSafeToRetry, "the connection was made: the request may have reached the server")
        #expect(elapsed >= .milliseconds(290), "the deadline was not cut short: took \(elapsed)")

        let passed = try await #require(throws: UpstreamError.self) {
            _ = try await client.serverReady(deadline: .now - .seconds(1))
        }
        #expect(passed.isTimeout)
        await transport.shutdown()
    }

    @Test("cancelling the task aborts the transfer at once and the transport keeps working")
    func cancellation() async throws {
        let silent = try SilentTCPServer()
        try await TritonFixture.with { fixture in
            let hanging = TritonHTTPClient(baseURL: silent.url, transport: fixture.transport)
            // Without cancellation the call would end only at its 20 s deadline, as `timedOut`.
            let task = Task { try await hanging.serverReady(deadline: .now + .seconds(20)) }
            task.cancel()
            let result = await task.result
            // Cancelled before the transfer started (CancellationError) or during it (`cancelled`):
            // either way it ends as cancelled, not at its deadline.
            switch result {
            case .failure(let error as UpstreamError): #expect(error.isCancellation, "got \(error)")
            case .failure(let error): #expect(error is CancellationError, "got \(error)")
            case .success: Issue.record("a cancelled call answered")
            }
            let stillWorks = try await fixture.first.serverReady()
            #expect(stillWorks)
        }
    }

    @Test("a refused connection fails fast and is marked safe to retry")
    func refused() async throws {
        let transport = CurlHTTPTransport()
        let client = TritonHTTPClient(baseURL: "http://127.0.0.1:1", transport: transport)
        let error = try await #require(throws: UpstreamError.self) {
            _ = try await client.serverReady()
        }
        #expect(error.isConnectFailure)
        #expect(error.isSafeToRetry)
        await transport.shutdown()
    }

    @Test("a server that hangs up after receiving the request: connection lost, never safe to retry")
    func hangUpAfterSend() async throws {
        let server = try HangUpTCPServer()
        let transport = CurlHTTPTransport()
        let client = TritonHTTPClient(baseURL: server.url, transport: transport)
        let error = try await #require(throws: UpstreamError.self) {
            _ = try await client.send(
                method: "POST", path: "/v2/models/simple/infer", body: Data("{}".utf8), deadline: .now + .seconds(5))
        }
        #expect(error.isConnectionLost, "got \(error)")
        #expect(!error.isSafeToRetry)
        #expect(server.requestsReceived == 1)
        await transport.shutdown()
    }

    @Test("shutdown fails a transfer in flight instead of leaving it hanging")
    func shutdownInFlight() async throws {
        let silent = try SilentTCPServer()
        let transport = CurlHTTPTransport()
        let client = TritonHTTPClient(baseURL: silent.url, transport: transport)
        let task = Task { try await client.serverReady(deadline: .now + .seconds(20)) }
        await transport.shutdown()
        let result = await task.result
        guard case .failure(let error as UpstreamError) = result else {
            Issue.record("expected a shutdown error, got \(result)")
            return
        }
        #expect(error.isKind(of: .shutdown))
    }
}
