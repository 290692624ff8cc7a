import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program to completion and captures its output (stock clients, stack scripts).
///
/// Uses `posix_spawn` and a blocking `waitpid` on its own thread: the program may start
/// daemons (a restarted Triton) that outlive it, and neither pipes nor Foundation's `Process`
/// reaping are reliable then.
public enum ProcessRunner {
    /// The result of a finished program.
    public struct Result: Sendable {
        /// Exit status (128 + signal when killed by one).
        public let status: Int32
        /// Standard output.
        public let output: String
        /// Standard error.
        public let errorOutput: String
    }

    /// Runs `executable` with `arguments` in the repository root, with the stack's environment.
    public static func run(_ executable: String, _ arguments: [String]) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.path
        let outputPath = directory + "/process-\(UUID().uuidString).out"
        let errorPath = directory + "/process-\(UUID().uuidString).err"
        var environment = ProcessInfo.processInfo.environment
        environment.merge(StackEnvironment.current.values) { _, stack in stack }
        let pid = try spawn(
            executable, arguments, environment: environment, output: outputPath, errorOutput: errorPath)
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                let exited = (raw & 0x7f) == 0
                continuation.resume(returning: exited ? (raw >> 8) & 0xff : 128 + (raw & 0x7f))
            }
        }
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Result(status: status, output: output, errorOutput: errors)
    }

    /// The stack's Python (with tritonclient, numpy) running a script from the repository.
    public static func python(_ script: String, _ arguments: [String]) async throws -> Result {
        let venv = try StackEnvironment.current.require("STACK_VENV")
        return try await run(venv + "/bin/python", [script] + arguments)
    }

    /// `scripts/stack/restart-component.sh ACTION NAME`.
    public static func stack(_ action: String, _ component: String) async throws -> Result {
        try await run("/bin/bash", ["scripts/stack/restart-component.sh", action, component])
    }

    private static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], output: String,
        errorOutput: String
    ) throws -> pid_t {
        // The child changes to the repository root through /bin/sh, then execs the program.
        let command = ["cd \"$0\" && exec \"$@\"", StackEnvironment.repositoryRoot.path, executable] + arguments
        let argv = (["/bin/sh", "-c"] + command).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }
}
