import TritonClient
import BatchProtocol
import BatchWorker
import CurlHTTP
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A worker running inside the test process: its consumer, producer, pipeline and (unless
/// `deliversCallbacks` is false) callback delivery in one `ServiceGroup`, stopped gracefully or
/// cancelled abruptly. A worker a test will ``kill()`` should not deliver callbacks: one it had
/// claimed (any test's, the outbox is shared) would wait out its lease and count a second attempt.
final class InProcessWorker: Sendable {
    let consumer: KafkaConsumer
    let worker: BatchWorker
    private let group: ServiceGroup
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
    private let transport: CurlHTTPTransport

    init(
        fixture: BatchFixture, groupID: String, inference: (any BatchInference)? = nil,
        configuration: BatchWorkerConfiguration? = nil, deliversCallbacks: Bool = true,
        environment: WorkerEnvironment = .system
    ) throws {
        var consumerConfiguration = fixture.kafka(groupID: groupID)
        consumerConfiguration.consumerBufferCapacity = 1024
        let topics = (configuration ?? fixture.workerConfiguration).requestTopics
        consumerConfiguration.topicWeights = BatchPriority.topicWeights(
            base: (configuration ?? fixture.workerConfiguration).requestsTopic)
        consumerConfiguration.properties["session.timeout.ms"] = "6000"
        consumerConfiguration.properties["heartbeat.interval.ms"] = "1500"
        consumer = try KafkaConsumer(
            configuration: consumerConfiguration, topics: topics, logger: BatchFixture.logger)
        let producer = try KafkaProducer(configuration: fixture.kafka(), logger: BatchFixture.logger)
        transport = CurlHTTPTransport()
        worker = BatchWorker(
            configuration: configuration ?? fixture.workerConfiguration, consumer: consumer, producer: producer,
            store: fixture.store,
            objects: fixture.objects,
            inference: inference
                ?? RouterInference(baseURL: fixture.routerURL, connector: TritonConnector(transport: transport)),
            callbacks: CallbackNotifier(outbox: fixture.store.callbackOutbox), environment: environment,
            logger: BatchFixture.logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: consumer), .init(service: producer), .init(service: worker),
        ]
        if deliversCallbacks {
            services.append(
                .init(service: try CallbackTestSettings.deliveryService(fixture: fixture, transport: transport)))
        }
        group = ServiceGroup(configuration: .init(services: services, logger: BatchFixture.logger))
    }

    func start() {
        let group = self.group
        task.withLock { $0 = Task { try await group.run() } }
    }

    /// Waits until the group gave this worker partitions.
    func waitForAssignment() async throws -> [KafkaTopicPartition] {
        try await consumer.waitForAssignment()
    }

    /// Graceful shutdown: drain, commit, stop.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.withLock { $0 }?.value
        await transport.shutdown()
    }

    /// Abrupt stop: cancels everything, no final commit.
    func kill() async {
        let running = task.withLock { $0 }
        running?.cancel()
        _ = try? await running?.value
        await transport.shutdown()
    }
}

/// A `batch-worker` process started from the build folder, killable with SIGKILL.
final class WorkerProcess: Sendable {
    let pid: pid_t
    let logPath: String

    /// The `batch-worker` binary beside the test bundle.
    static var binary: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        // The test runner lives in the build folder, or inside an .xctest bundle there.
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("batch-worker").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return executable.deletingLastPathComponent().appendingPathComponent("batch-worker").path
    }

    /// Starts the worker with the stack's environment plus `overrides`.
    init(overrides: [String: String]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(StackEnvironment.current.values) { _, stack in stack }
        environment.merge(overrides) { _, override in override }
        logPath =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "batch-worker-\(UUID().uuidString).log"
            ).path
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw WorkerProcessError(description: "no batch-worker binary at \(binary): build it first")
        }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var child: pid_t = 0
        let result = posix_spawn(&child, binary, &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        pid = child
    }

    /// SIGKILL, then reaps the process; returns its wait status.
    @discardableResult
    func kill9() async -> Int32 {
        _ = Glibc.kill(pid, SIGKILL)
        return await wait()
    }

    /// SIGTERM (graceful shutdown), then reaps the process.
    @discardableResult
    func terminate() async -> Int32 {
        _ = Glibc.kill(pid, SIGTERM)
        return await wait()
    }

    private func wait() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
    }

    /// The last `count` characters the process logged.
    func logTail(_ count: Int = 2000) -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(count))
    }
}

struct WorkerProcessError: Error, CustomStringConvertible {
    let description: String
}
