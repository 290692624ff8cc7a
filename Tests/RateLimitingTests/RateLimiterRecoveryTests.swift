import Foundation

#if canImport(Glibc)
    import Glibc
#endif
import RedisClient
import TestSupport
import Testing

@testable import RateLimiting

/// A Redis outage that starts and ends while the limiter runs: a private `redis-server` on a
/// free loopback port is started late and stopped early.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct RateLimiterRecoveryTests {
    static let redisServer = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: redisServer != nil, "redis-server is not installed"))
    func outageAndRecoveryAreLoggedOnceEach() async throws {
        let port = try LoopbackPort.unused()
        let (logger, logs) = RecordingLogHandler.logger()
        let metrics = RecordingMetricsFactory()
        var configuration = RedisConfiguration(port: port, poolSize: 2)
        configuration.commandTimeout = .milliseconds(500)
        try await withRedisClient(configuration: configuration) { client in
            let limiter = RateLimiter(
                client: client,
                configuration: RateLimiterConfiguration(
                    failureMode: .closed(retryAfter: .seconds(1)), probeInterval: .milliseconds(20)),
                logger: logger, metricsFactory: metrics)
            let policy = RateLimitPolicy.perSecond(1_000)

            for _ in 0..<5 { #expect(try await !limiter.check(principal: "p", policy: policy).enforced) }
            #expect(logs.messages == ["rate_limit.redis.unavailable"])
            #expect(metrics.value("rate_limit_redis_available") == 0)

            let server = try Self.startRedis(port: port)
            defer { Self.crash(server) }
            let recovered = try await eventuallyValue("the limiter uses Redis again") {
                let decision = try await limiter.check(principal: "p", policy: policy)
                return decision.enforced ? decision : nil
            }
            #expect(recovered.allowed)
            #expect(logs.messages == ["rate_limit.redis.unavailable", "rate_limit.redis.available"])
            #expect(metrics.value("rate_limit_redis_available") == 1)
            for _ in 0..<5 { #expect(try await limiter.check(principal: "p", policy: policy).enforced) }

            Self.crash(server)
            try await eventually("redis-server has exited") { !server.isRunning }
            let failed = try await eventuallyValue("the limiter falls back to the failure mode") {
                let decision = try await limiter.check(principal: "p", policy: policy)
                return decision.enforced ? nil : decision
            }
            #expect(!failed.allowed)
            for _ in 0..<5 { #expect(try await !limiter.check(principal: "p", policy: policy).enforced) }
            #expect(
                logs.messages == [
                    "rate_limit.redis.unavailable", "rate_limit.redis.available", "rate_limit.redis.unavailable",
                ])
            #expect(metrics.value("rate_limit_redis_available") == 0)
            #expect(metrics.value("rate_limit_decisions_total", [("outcome", "fail_closed")]) ?? 0 >= 11)
        }
    }

    private static func startRedis(port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(redisServer))
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Kills the server the hard way (SIGKILL): a crash, and the one signal the child cannot
    /// have blocked (it inherits the test process's signal mask).
    private static func crash(_ server: Process) {
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
    }
}
