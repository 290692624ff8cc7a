import ArgumentParser
import Foundation

/// `inferctl batch submit|status|results`: batch jobs through the gateway.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Submit batch jobs and follow them.",
        subcommands: [BatchSubmitCommand.self, BatchStatusCommand.self, BatchResultsCommand.self])
}

/// `inferctl batch submit FILE --model M`: a JSON Lines file, one item `{"id", "inputs"}` a line.
struct BatchSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit a JSON Lines file of items; prints the job id.")

    @Argument(help: "JSON Lines file: one {\"id\": ..., \"inputs\": [KServe v2 tensors]} per line.")
    var file: String

    @Option(name: .long, help: "Model name.")
    var model: String

    @Option(name: .long, help: "Model version (default: the route's choice).")
    var version: String?

    @Option(name: .long, help: "low, normal (default), high or urgent.")
    var priority: String?

    @OptionGroup var gateway: GatewayOptions

    func run() async throws {
        guard let body = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        var query = "model=" + (model.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? model)
        if let version {
            query += "&version=" + (version.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? version)
        }
        if let priority {
            query += "&priority=" + (priority.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        let answer = try await gateway.call(
            "POST", "/v1/batches?" + query, body: body, contentType: "application/x-ndjson")
        let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any]
        print(object?["job_id"] as? String ?? String(decoding: answer, as: UTF8.self))
    }
}

/// `inferctl batch status ID [--follow]`: counts and progress; `--follow` draws a bar until done.
struct BatchStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a job's status.")

    @Argument(help: "Job id.")
    var id: String

    @Flag(name: .long, help: "Poll until the job is finished, with a progress bar.")
    var follow = false

    @OptionGroup var gateway: GatewayOptions

    func run() async throws {
        while true {
            let status =
                try JSONSerialization.jsonObject(with: try await gateway.call("GET", "/v1/batches/\(id)"))
                as? [String: Any] ?? [:]
            let state = status["status"] as? String ?? "?"
            let progress = status["progress"] as? Double ?? 0
            let line =
                Self.bar(progress) + " \(state)  succeeded \(status["succeeded"] ?? 0)"
                + "  failed \(status["failed"] ?? 0)  total \(status["total"] ?? "?")"
            guard follow, ["queued", "running"].contains(state) else {
                print(line)
                return
            }
            FileHandle.standardOutput.write(Data(("\r" + line).utf8))
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// A 30-column bar for a fraction from 0 to 1.
    static func bar(_ fraction: Double) -> String {
        let filled = Int((min(max(fraction, 0), 1) * 30).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            + String(format: "%3.0f%%", fraction * 100)
    }
}

/// `inferctl batch results ID`: every item's status and output location, all pages; with
/// `-o FILE`, the finished job's `output.jsonl` (or `errors.jsonl` with `--errors`) downloaded in
/// slices with a progress bar.
struct BatchResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "List a job's items, or download its output (or error) file with -o FILE.")

    @Argument(help: "Job id.")
    var id: String

    @Option(name: .shortAndLong, help: "Download the job's output.jsonl to this file.")
    var output: String?

    @Flag(name: .long, help: "With -o: download errors.jsonl instead.")
    var errors = false

    @OptionGroup var gateway: GatewayOptions

    func run() async throws {
        if let output {
            try await download(to: output)
            return
        }
        var cursor: String?
        repeat {
            let path = "/v1/batches/\(id)/results" + (cursor.map { "?after=" + $0 } ?? "")
            let page =
                try JSONSerialization.jsonObject(with: try await gateway.call("GET", path)) as? [String: Any] ?? [:]
            for item in page["items"] as? [[String: Any]] ?? [] {
                let fields = [item["item_id"], item["status"], item["output_uri"] ?? item["error"]]
                print(fields.map { "\($0 ?? "-")" }.joined(separator: "\t"))
            }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
    }

    /// Fetches the file 4 MiB at a time with `Range`, appending each slice to `path`.
    private func download(to path: String) async throws {
        try await waitForFiles()
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ValidationError("cannot create \(path)")
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? file.close() }
        let route = "/v1/batches/\(id)/" + (errors ? "errors" : "output")
        let slice = 4 << 20
        var received = 0
        var size: Int?
        repeat {
            let answer = try await gateway.exchange(
                "GET", route, extraHeaders: [(name: "Range", value: "bytes=\(received)-\(received + slice - 1)")],
                alsoAccepting: [416])
            if answer.status == 416 { break }  // an empty file
            try file.write(contentsOf: answer.body)
            received += answer.body.count
            size = answer.header("Content-Range").flatMap { $0.split(separator: "/").last }.flatMap { Int($0) }
            let total = size ?? received
            FileHandle.standardError.write(
                Data(
                    ("\r" + BatchStatusCommand.bar(total == 0 ? 1 : Double(received) / Double(total))
                        + "  \(received) of \(total) bytes").utf8))
            guard answer.status == 206, !answer.body.isEmpty else { break }
        } while received < (size ?? 0)
        FileHandle.standardError.write(Data("\n".utf8))
        print(path)
    }

    /// Waits (up to 2 minutes) for a completed or expired job's files, which are written just
    /// after it ends; throws for a job in any other state.
    private func waitForFiles() async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let status =
                try JSONSerialization.jsonObject(with: try await gateway.call("GET", "/v1/batches/\(id)"))
                as? [String: Any] ?? [:]
            if status["output_url"] != nil { return }
            let state = status["status"] as? String ?? "?"
            guard state == "completed" || state == "expired", ContinuousClock.now < deadline else {
                throw ValidationError("job \(id) is \(state) and has no result files yet")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
