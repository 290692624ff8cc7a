import Foundation
import TestSupport
import Testing

/// `inferctl routes|backends|canary` against the stack's router (its admin token from the stack),
/// on a model name of the test's own.
@Suite(
    "inferctl for operators: routes, backends, canary", .timeLimit(.minutes(3)),
    .enabled(
        if: StackEnvironment.current.values["ROUTER_ADMIN_TOKEN"] != nil || StackEnvironment.current.requiresStack,
        "ROUTER_ADMIN_TOKEN not set: run `make up` first"))
struct InferctlRouterTests {
    /// Runs inferctl and expects it to succeed; returns its output.
    static func succeed(_ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner.run(try InferctlTests.inferctl(), arguments)
        #expect(result.status == 0, "inferctl \(arguments.joined(separator: " ")): \(result.errorOutput)")
        return result.output
    }

    @Test("set, show and audit a route; start, watch and roll back a canary; mirror and stop; list models and backends")
    func operateRoutes() async throws {
        let model = "ctl-" + UUID().uuidString.prefix(8).lowercased()
        _ = try await Self.succeed(
            ["routes", "set", model, "--target", "1=70", "--target", "2=30", "--author", "ctl-tester"])
        let table = try await Self.succeed(["routes", "show"])
        #expect(table.split(separator: "\n").contains { $0.hasPrefix(model) && $0.contains("1:70 2:30") })
        let json = try await Self.succeed(["routes", "show", "--json"])
        let routes = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let listed = (routes?["routes"] as? [[String: Any]])?.first { $0["model"] as? String == model }
        #expect((listed?["targets"] as? [[String: Any]])?.compactMap { $0["weight"] as? Int } == [70, 30])
        let history = try await Self.succeed(["routes", "history", model])
        #expect(history.contains("ctl-tester") && history.contains("1:70 2:30"))

        _ = try await Self.succeed([
            "canary", "set", model, "--stable", "1", "--canary", "2", "--steps", "10,100", "--window-ms", "60000",
        ])
        let status = try await Self.succeed(["canary", "status", model])
        #expect(status.split(separator: "\n").contains { $0.hasPrefix(model) && $0.contains("progressing") })
        _ = try await Self.succeed(["canary", "rollback", model])
        let after = try await Self.succeed(["routes", "show"])
        let row = after.split(separator: "\n").first { $0.hasPrefix(model) }
        #expect(row?.contains("1:100 2:0") == true)
        #expect(row?.hasSuffix("-") == true)

        _ = try await Self.succeed(["shadow", "set", model, "--percent", "10", "--version", "2"])
        let shadowed = try await Self.succeed(["routes", "show", "--json"])
        #expect(shadowed.contains(#""percent":10"#))
        _ = try await Self.succeed(["shadow", "off", model])
        #expect(!(try await Self.succeed(["routes", "show", "--json"])).contains(#""percent":10"#))

        let models = try await Self.succeed(["models", "list"])
        #expect(models.split(separator: "\n").contains { $0.hasPrefix("digits") && $0.contains("READY") })

        let backends = try await Self.succeed(["backends"])
        #expect(backends.contains("triton-a") && backends.contains("triton-b"))
    }

    @Test("a router that cannot be reached, a bad target and a model without a rollout are one-line errors")
    func clearErrors() async throws {
        let tool = try InferctlTests.inferctl()
        let unreachable = try await ProcessRunner.run(tool, ["backends", "--router-url", "http://127.0.0.1:1"])
        #expect(unreachable.status != 0)
        #expect(unreachable.errorOutput.contains("cannot reach the router at http://127.0.0.1:1"))
        let badTarget = try await ProcessRunner.run(tool, ["routes", "set", "m", "--target", "1=x"])
        #expect(badTarget.status != 0 && badTarget.errorOutput.contains("VERSION=WEIGHT"))
        let noRollout = try await ProcessRunner.run(tool, ["canary", "promote", "no-such-model-for-ctl"])
        #expect(noRollout.status != 0 && noRollout.errorOutput.contains("has no rollout"))
    }
}
