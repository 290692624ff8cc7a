import BatchAPI
import BatchProtocol
import BatchWorker
import CurlHTTP
import Foundation
import InferenceProtocol
import Kafka
import Logging
import ObjectStore
import PlatformStore
import PostgresClient
import Resilience
import TestSupport
import Testing

/// The stack's real servers, fresh topics and a unique output prefix for one test.
///
/// Each test gets its own requests/DLQ/events topics (4 partitions for requests, like the stack's)
/// and its own consumer group, so tests never read each other's items.
final class BatchFixture: Sendable {
    static var isConfigured: Bool {
        let values = StackEnvironment.current.values
        let names = ["KAFKA_BROKERS", "POSTGRES_URL", "S3_ENDPOINT", "ROUTER_URL"]
        return names.allSatisfy { !(values[$0] ?? "").isEmpty } || StackEnvironment.current.requiresStack
    }

    static let skipMessage: Comment = "the stack is not configured: run `make up` first"

    static let logger: Logger = {
        var logger = Logger(label: "batch-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["BATCH_TEST_LOG"] == "1" ? .info : .warning
        return logger
    }()

    let brokers: String
    let routerURL: String
    let requestsTopic: String
    let deadLetterTopic: String
    let eventsTopic: String
    let prefix: String
    let bucket: String
    let s3Configuration: S3Configuration
    let pool: PostgresPool
    let store: BatchJobStore
    let transport: CurlHTTPTransport
    let objects: S3Client

    private init(name: String) throws {
        let environment = StackEnvironment.current
        brokers = try environment.require("KAFKA_BROKERS")
        routerURL = try environment.require("ROUTER_URL")
        let unique = Self.uniqueName(name)
        requestsTopic = unique + "-requests"
        deadLetterTopic = unique + "-dlq"
        eventsTopic = unique + "-events"
        prefix = "tests/" + unique
        bucket = try environment.require("S3_BUCKET")
        s3Configuration = S3Configuration(
            endpoint: try environment.require("S3_ENDPOINT"), region: environment.values["S3_REGION"] ?? "us-east-1",
            bucket: bucket, accessKeyID: try environment.require("AWS_ACCESS_KEY_ID"),
            secretAccessKey: try environment.require("AWS_SECRET_ACCESS_KEY"))
        pool = PostgresPool(
            configuration: PostgresConfiguration(
                connectionString: try environment.require("POSTGRES_URL"), poolSize: 8, applicationName: "batch-tests"),
            logger: Self.logger)
        store = BatchJobStore(pool: pool)
        transport = CurlHTTPTransport(configuration: .init(maxConnectionsPerHost: 64, maxCachedConnections: 128))
        objects = try S3Client(configuration: s3Configuration, transport: transport, logger: Self.logger)
    }

    /// The partitions of every priority's requests topic together: 4 for normal, 1 for each other.
    static let requestPartitions = 7

    /// Creates the topics and applies the migrations.
    static func make(_ name: String) async throws -> BatchFixture {
        let fixture = try BatchFixture(name: name)
        let admin = try KafkaAdmin(configuration: fixture.kafka(), logger: logger)
        for priority in BatchPriority.allCases {
            let partitions = priority == .normal ? 4 : 1
            try await admin.createTopic(priority.topic(base: fixture.requestsTopic), partitions: partitions)
        }
        try await admin.createTopic(fixture.deadLetterTopic, partitions: 1)
        try await admin.createTopic(fixture.eventsTopic, partitions: 1)
        _ = try await Migrator(pool: fixture.pool, logger: logger).apply(PlatformMigrations.all)
        return fixture
    }

    func shutdown() async {
        await pool.shutdown()
        await transport.shutdown()
    }

    static func uniqueName(_ prefix: String) -> String {
        "test-\(prefix)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    func kafka(groupID: String? = nil) -> KafkaConfiguration {
        KafkaConfiguration(brokers: brokers, clientID: "batch-tests", groupID: groupID)
    }

    /// A producer configuration for submitting items, spread over all partitions.
    var submitterKafka: KafkaConfiguration {
        var configuration = kafka()
        configuration.properties.merge(BatchSubmitter.producerProperties) { _, new in new }
        return configuration
    }

    /// The worker's settings for this fixture's topics and prefix.
    var workerConfiguration: BatchWorkerConfiguration {
        var configuration = BatchWorkerConfiguration(
            bucket: bucket, requestsTopic: requestsTopic, deadLetterTopic: deadLetterTopic, eventsTopic: eventsTopic,
            outputPrefix: prefix)
        configuration.retry = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        return configuration
    }

    /// The environment a `batch-worker` process needs for this fixture (on top of the stack's).
    func processEnvironment(groupID: String) -> [String: String] {
        [
            "BATCH_GROUP_ID": groupID, "BATCH_TOPICS_REQUESTS": requestsTopic, "BATCH_TOPICS_DLQ": deadLetterTopic,
            "BATCH_TOPICS_EVENTS": eventsTopic, "BATCH_OUTPUT_PREFIX": prefix, "BATCH_METRICS_PORT": "0",
            "BATCH_SESSION_TIMEOUT_MS": "6000", "BATCH_RETRY_MAX_MS": "1000", "LOG_LEVEL": "warning",
            // The stack's credentials are its shipped development values.
            "PLATFORM_ENV": "local",
            // No callback delivery: these processes get killed, and a callback a killed process
            // had claimed (another test's) would wait out its lease and count a second attempt.
            "CALLBACK_SIGNING_SECRET": "",
        ]
    }

    // MARK: - Jobs

    /// Submits `count` `simple` items (`item-00000`…) through a ``BatchSubmitter``; returns the job.
    func submitSimpleJob(
        count: Int, producer: KafkaProducer, extra: [BatchSubmission.Item] = [], callbackURL: String? = nil
    ) async throws -> UUID {
        try await submitSimpleJob(indices: Array(0..<count), producer: producer, extra: extra, callbackURL: callbackURL)
    }

    /// Submits `simple` items in the order of `indices`, then `extra`.
    func submitSimpleJob(
        indices: [Int], producer: KafkaProducer, extra: [BatchSubmission.Item] = [], callbackURL: String? = nil,
        priority: BatchPriority = .normal
    ) async throws -> UUID {
        let items = indices.map { SimpleModel.item($0) } + extra
        let submitter = BatchSubmitter(store: store, producer: producer, topic: requestsTopic, logger: Self.logger)
        return try await submitter.submit(
            BatchSubmission(model: "simple", items: items, callbackURL: callbackURL, priority: priority))
    }

    /// Polls the job until `done` holds (by default: completed, its result files written),
    /// failing after `limit`.
    @discardableResult
    func waitForJob(
        _ id: UUID, within limit: Duration = .seconds(150),
        until done: @Sendable (BatchJob) -> Bool = {
            $0.status == .completed && $0.outputFileKey != nil
        }
    ) async throws -> BatchJob {
        let store = self.store
        return try await eventuallyValue("job \(id) done", within: limit, every: .milliseconds(200)) {
            try? await store.job(id).flatMap { done($0) ? $0 : nil }
        }
    }

    /// All item rows of a job.
    func items(of jobID: UUID) async throws -> [BatchItem] {
        var items: [BatchItem] = []
        var cursor: String?
        repeat {
            let page = try await store.items(jobID: jobID, after: cursor, limit: 1000)
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }

    /// The object keys under the job's output folder.
    func objectKeys(of jobID: UUID) async throws -> [String] {
        try await objects.listAll(prefix: "\(prefix)/\(jobID.uuidString.lowercased())/").map(\.key)
    }

    /// Checks the objects of a completed job: only its manifest, result files and shards, every
    /// shard referenced (orphans removed), every succeeded row pointing at bytes of a listed shard,
    /// no two rows at overlapping bytes. Returns the number of shards and the problems found.
    func verifyShards(of jobID: UUID) async throws -> (shards: Int, problems: [String]) {
        let keys = Set(try await objectKeys(of: jobID))
        let folder = "\(prefix)/\(jobID.uuidString.lowercased())/"
        let shards = keys.filter { $0.hasPrefix(folder + "shards/") && $0.hasSuffix(".jsonl") }
        let files = ["manifest.json", "output.jsonl", "errors.jsonl"].map { folder + $0 }
        var problems = keys.subtracting(shards).subtracting(files).map { "stray object \($0)" }
        problems += files.filter { !keys.contains($0) }.map { "no \($0)" }
        var referenced = Set<String>()
        var lines: [String: [Range<Int>]] = [:]
        for row in try await items(of: jobID) where row.status == .succeeded {
            guard let uri = row.outputURI, let range = row.outputRange else {
                problems.append("\(row.itemID): no output location")
                continue
            }
            let key = String(uri.dropFirst("s3://\(bucket)/".count))
            if !shards.contains(key) { problems.append("\(row.itemID): \(key) is not a shard of the job") }
            referenced.insert(key)
            lines[key, default: []].append(range)
        }
        problems += shards.subtracting(referenced).map { "orphan shard \($0) left behind" }
        for (key, ranges) in lines {
            let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
            for (left, right) in zip(sorted, sorted.dropFirst()) where left.overlaps(right) {
                problems.append("\(key): rows share bytes \(left) and \(right)")
            }
        }
        return (shards.count, problems)
    }

    /// The lines of the job's `output.jsonl` (or `errors.jsonl`), each parsed as a JSON object.
    func resultFile(_ name: String, of jobID: UUID) async throws -> [[String: Any]] {
        let data = try await objects.get(key: "\(prefix)/\(jobID.uuidString.lowercased())/\(name)")
        return try data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map {
            try #require(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])
        }
    }

    /// Checks `output.jsonl` of a job of `simple` items submitted in the order of `indices`: one
    /// line per item in that order, each the item's right output. Returns the problems found.
    func verifySimpleOutputFile(jobID: UUID, indices: [Int]) async throws -> [String] {
        let lines = try await resultFile("output.jsonl", of: jobID)
        var problems: [String] = []
        if lines.count != indices.count { problems.append("\(lines.count) lines for \(indices.count) items") }
        for (line, index) in zip(lines, indices) {
            let id = line["id"] as? String
            let outputs = line["outputs"] as? [[String: Any]]
            let data = outputs?.first { $0["name"] as? String == "OUTPUT0" }?["data"] as? [Int]
            if id != SimpleModel.itemID(index) {
                problems.append("line for \(SimpleModel.itemID(index)) is \(id ?? "-")")
            } else if data?.map(Int32.init) != SimpleModel.expectedOutput0(index) {
                problems.append("\(id ?? "-"): wrong OUTPUT0")
            }
            if problems.count > 10 { break }
        }
        return problems
    }

    /// Checks every `simple` item of `indices`: one succeeded row pointing at its line in a shard,
    /// read with a range GET, whose OUTPUT0 is INPUT0 + INPUT1. Returns the problems found.
    func verifySimpleOutputs(jobID: UUID, indices: Range<Int>) async throws -> [String] {
        let rows = Dictionary(try await items(of: jobID).map { ($0.itemID, $0) }) { first, _ in first }
        let objects = self.objects
        let bucket = self.bucket
        return try await withThrowingTaskGroup(of: [String].self) { group in
            var problems: [String] = []
            var next = indices.lowerBound
            func addNext() {
                let index = next
                next += 1
                let id = SimpleModel.itemID(index)
                let row = rows[id]
                group.addTask {
                    guard let row, row.status == .succeeded, let uri = row.outputURI, let range = row.outputRange
                    else {
                        return ["\(id): row \(String(describing: row?.status))"]
                    }
                    let key = String(uri.dropFirst("s3://\(bucket)/".count))
                    let line = try await objects.get(key: key, range: range)
                    guard line.last == UInt8(ascii: "\n") else { return ["\(id): \(range) is not one whole line"] }
                    let response = try InferenceCodec.decodeResponse(line.dropLast(), jsonHeaderLength: nil)
                    let output = try response.output(named: "OUTPUT0")?.values(as: Int32.self)
                    guard output == SimpleModel.expectedOutput0(index), response.id == id else {
                        return ["\(id): wrong output \(String(describing: output))"]
                    }
                    return []
                }
            }
            for _ in 0..<min(32, indices.count) { addNext() }
            while let found = try await group.next() {
                problems += found
                if next < indices.upperBound { addNext() }
            }
            return problems
        }
    }

    // MARK: - Topics

    /// Reads `topic` from the start until `count` messages arrived (or, given, until `enough` holds
    /// for what was read) or `limit` passed, and returns what was read (a new group per call: its first join takes about 20 s).
    func readTopic(
        _ topic: String, count: Int, within limit: Duration = .seconds(120),
        until enough: (@Sendable ([KafkaMessage]) -> Bool)? = nil
    ) async throws -> [KafkaMessage] {
        enum Finished {
            case consumer
            case timer
            case read([KafkaMessage])
        }
        let consumer = try KafkaConsumer(
            configuration: kafka(groupID: Self.uniqueName("reader")), topics: [topic], logger: Self.logger)
        return try await withThrowingTaskGroup(of: Finished.self) { group in
            group.addTask {
                try await consumer.run()
                return .consumer
            }
            group.addTask {
                var read: [KafkaMessage] = []
                for try await message in consumer.messages {
                    read.append(message)
                    if enough.map({ $0(read) }) ?? (read.count >= count) { break }
                }
                return .read(read)
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return .timer
            }
            var result: [KafkaMessage] = []
            var stopping = false
            while let finished = try await group.next() {
                if case .read(let read) = finished { result = read }
                if !stopping {
                    stopping = true
                    await consumer.close()
                    group.cancelAll()
                }
            }
            return result
        }
    }
}

/// Items for Triton's `simple` model: INPUT0 = 16 consecutive values from index × 16,
/// INPUT1 = index mod 97; OUTPUT0 = INPUT0 + INPUT1.
enum SimpleModel {
    static func itemID(_ index: Int) -> String { String(format: "item-%05d", index) }

    static func input0(_ index: Int) -> [Int32] { (0..<16).map { Int32(truncatingIfNeeded: index &* 16 &+ $0) } }

    static func input1(_ index: Int) -> [Int32] { [Int32](repeating: Int32(index % 97), count: 16) }

    static func request(_ index: Int) -> InferRequest {
        InferRequest(inputs: [
            InferTensor(name: "INPUT0", shape: [1, 16], values: input0(index)),
            InferTensor(name: "INPUT1", shape: [1, 16], values: input1(index)),
        ])
    }

    static func item(_ index: Int) -> BatchSubmission.Item {
        BatchSubmission.Item(id: itemID(index), request: request(index))
    }

    static func expectedOutput0(_ index: Int) -> [Int32] { zip(input0(index), input1(index)).map { $0 &+ $1 } }
}
