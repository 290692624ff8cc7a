import InferenceProtocol
import CurlHTTP
import Foundation
import Gateway
import RateLimiting
import TestSupport
import Testing

@Suite(
    "Rate limits through the gateway", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: StackEnvironment.current.values["ROUTER_URL"] != nil, "ROUTER_URL not set: run `make up` first"))
struct RateLimitTests {
    @Test(
        "500 concurrent requests against 100 per 100 hours: exactly 100 admitted, 400 refused with a correct Retry-After"
    )
    func exactnessUnderConcurrency() async throws {
        var settings = try GatewayFixture.stackSettings()
        // One cell per hour: no cell frees while the requests run, however slow the machine (with
        // 100 per hour, a run that took 40 s on a loaded machine rightly admitted a 101st request).
        settings.rateLimit.principal = RateLimitPolicy(limit: 100, period: .seconds(360_000), burst: 100)
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings) { gateway in
            let started = ContinuousClock.now
            let answers = try await withThrowingTaskGroup(of: UpstreamResponse.self) { group in
                for _ in 0..<500 {
                    group.addTask {
                        try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
                    }
                }
                var answers: [UpstreamResponse] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            let elapsed = Int64((ContinuousClock.now - started).components.seconds) + 1
            let admitted = answers.filter { $0.status == 200 }
            let refused = answers.filter { $0.status == 429 }
            print(
                "rate-limit exactness: \(admitted.count) admitted, \(refused.count) refused of \(answers.count) in \(elapsed) s"
            )
            #expect(admitted.count == 100)
            #expect(refused.count == 400)
            // Every admitted request saw a different number of remaining requests: 99 down to 0.
            let remaining = Set(admitted.compactMap { $0.header("RateLimit-Remaining").flatMap(Int.init) })
            #expect(remaining == Set(0..<100))
            // Emission interval 3,600 s: the next cell frees an hour after the first admission.
            for answer in refused {
                let retryAfter = answer.header("Retry-After").flatMap(Int64.init) ?? -1
                #expect(retryAfter <= 3600 && retryAfter >= 3600 - elapsed, "Retry-After \(retryAfter)")
                #expect(answer.header("RateLimit-Limit") == "100")
                #expect(answer.header("RateLimit-Remaining") == "0")
                #expect(answer.errorMessage.contains("rate limit exceeded"))
            }
            for answer in answers { #expect(answer.header("RateLimit-Reset") != nil) }
        }
    }

    @Test("a refused principal is admitted again once the server's own Retry-After has passed")
    func readmission() async throws {
        var settings = try GatewayFixture.stackSettings()
        // One cell a second, two at once; the 8 requests go together, so fewer than 2 refusals would
        // take them more than 4 s to arrive, however slow the machine.
        settings.rateLimit.principal = RateLimitPolicy(limit: 2, period: .seconds(2), burst: 2)
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings) { gateway in
            let answers = try await withThrowingTaskGroup(of: UpstreamResponse.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
                    }
                }
                return try await group.reduce(into: [UpstreamResponse]()) { $0.append($1) }
            }
            let statuses = answers.map(\.status)
            #expect(statuses.filter { $0 == 429 }.count >= 2, "\(statuses)")
            var refusal = try #require(answers.first { $0.status == 429 })
            // Poll with the waits the server names: each refusal says when to come back, and a
            // retry at that time must eventually be admitted (nothing else spends this quota).
            let deadline = ContinuousClock.now + .seconds(60)
            var admitted = false
            while ContinuousClock.now < deadline {
                let retryAfter = try #require(refusal.header("Retry-After").flatMap(Int.init))
                #expect(retryAfter >= 1 && retryAfter <= 2)
                try await Task.sleep(for: .seconds(retryAfter))
                let again = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
                if again.status == 200 {
                    admitted = true
                    break
                }
                #expect(again.status == 429, "\(again.text)")
                refusal = again
            }
            #expect(admitted, "never admitted again within 60 s")
        }
    }

    @Test("the (principal, model) limit refuses one model while the principal's other models go on")
    func perModelLimit() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.rateLimit.model = RateLimitPolicy(limit: 3, period: .seconds(3600), burst: 3)
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings) { gateway in
            var simple: [Int] = []
            for _ in 0..<4 {
                simple.append(
                    try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token)).status)
            }
            #expect(simple == [200, 200, 200, 429])
            let digits = try await gateway.send("GET", "/v2/models/digits", headers: Requests.bearer(token))
            #expect(digits.status == 200)
        }
    }

    @Test("the model limit keys on the decoded name: an encoded spelling shares the bucket; a bad name is 400")
    func encodedModelNameSharesBucket() async throws {
        var settings = try GatewayFixture.stackSettings()
        settings.rateLimit.model = RateLimitPolicy(limit: 2, period: .seconds(3600), burst: 2)
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        try await GatewayFixture.with(settings) { gateway in
            var statuses: [Int] = []
            for path in ["/v2/models/digits", "/v2/models/%64igits", "/v2/models/%64%69%67%69%74%73"] {
                statuses.append(try await gateway.send("GET", path, headers: Requests.bearer(token)).status)
            }
            #expect(statuses == [200, 200, 429])
            for path in ["/v2/models/%2564igits", "/v2/models/a%2Fb/infer", "/v2/models/%zz", "/v2/models/%2E%2E"] {
                let answer = try await gateway.send("GET", path, headers: Requests.bearer(token))
                #expect(answer.status == 400 || answer.status == 404, "\(path): \(answer.status)")
                if answer.status == 400 { #expect(answer.errorMessage.contains("model name")) }
            }
            let bad = try await gateway.send("GET", "/v2/models/%2564igits", headers: Requests.bearer(token))
            #expect(bad.status == 400)
            #expect(bad.errorMessage.contains("not a valid model name"))
        }
    }

    @Test(
        "Redis unreachable: fail-open admits without quota headers and stays ready, fail-closed refuses with Retry-After and is not ready"
    )
    func redisFailureModes() async throws {
        let token = try await TokenFactory.hs256(TokenFactory.claims())
        var open = try GatewayFixture.stackSettings()
        open.redisURL = "redis://127.0.0.1:1"
        try await GatewayFixture.with(open) { gateway in
            let answer = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
            #expect(answer.status == 200)
            #expect(answer.header("RateLimit-Limit") == nil)
            // Every gateway shares Redis: fail-open must not take them all out of the Service.
            let ready = try await gateway.send("GET", "/readyz")
            #expect(ready.status == 200)
            #expect(ready.text.contains("\"redis\":\"unreachable\"") && ready.text.contains("\"status\":\"degraded\""))
        }
        var closed = open
        closed.rateLimit.failureMode = .closed(retryAfter: .seconds(2))
        try await GatewayFixture.with(closed) { gateway in
            let answer = try await gateway.send("GET", "/v2/models/simple", headers: Requests.bearer(token))
            #expect(answer.status == 429)
            #expect(answer.header("Retry-After") == "2")
            let ready = try await gateway.send("GET", "/readyz")
            #expect(ready.status == 503)
        }
    }
}
