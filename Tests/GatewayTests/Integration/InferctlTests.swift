import Foundation
import TestSupport
import Testing

@Suite(
    "inferctl keys", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.values["POSTGRES_URL"] != nil, "POSTGRES_URL not set: run `make up` first"))
struct InferctlTests {
    /// The `inferctl` built beside this test binary.
    static func inferctl() throws -> String {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let candidates = [
            directory, directory.deletingLastPathComponent(),
            directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent(),
        ]
        .map { $0.appendingPathComponent("inferctl").path }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotBuilt(searched: candidates)
        }
        return found
    }

    struct NotBuilt: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "inferctl is not built (run `swift build --build-tests`); looked in \(searched)" }
    }

    @Test("create shows the key once, list never shows it, revoke makes it inactive")
    func createListRevoke() async throws {
        let tool = try Self.inferctl()
        let principal = "ctl-" + UUID().uuidString.prefix(8).lowercased()
        let created = try await ProcessRunner.run(
            tool, ["keys", "create", "--principal", principal, "--scope", "infer", "--scope", "batch"])
        #expect(created.status == 0, "\(created.errorOutput)")
        let lines = created.output.split(separator: "\n")
        let key = try #require(lines.first { $0.hasPrefix("key:") }?.split(separator: " ").last.map(String.init))
        let id = try #require(lines.first { $0.hasPrefix("id:") }?.split(separator: " ").last.map(String.init))
        #expect(key.hasPrefix("tgk_") && key.count == 47)

        let listed = try await ProcessRunner.run(tool, ["keys", "list", "--principal", principal])
        #expect(listed.status == 0)
        #expect(listed.output.contains(id) && listed.output.contains("infer,batch") && listed.output.contains("active"))
        #expect(!listed.output.contains(key))

        let revoked = try await ProcessRunner.run(tool, ["keys", "revoke", id])
        #expect(revoked.status == 0, "\(revoked.errorOutput)")
        let after = try await ProcessRunner.run(tool, ["keys", "list", "--principal", principal])
        #expect(after.output.contains("revoked"))
        let again = try await ProcessRunner.run(tool, ["keys", "revoke", id])
        #expect(again.status != 0)

        let quiet = try await ProcessRunner.run(tool, ["keys", "create", "--principal", principal, "--quiet"])
        #expect(quiet.output.trimmingCharacters(in: .whitespacesAndNewlines).count == 47)
        let badScope = try await ProcessRunner.run(
            tool, ["keys", "create", "--principal", principal, "--scope", "root"])
        #expect(badScope.status != 0)
    }
}
