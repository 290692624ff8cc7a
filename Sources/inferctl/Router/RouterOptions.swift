import ArgumentParser
import Foundation
import InferenceProtocol

/// Where the router's admin API is: `--router-url` / `ROUTER_URL`, `--admin-token` /
/// `ROUTER_ADMIN_TOKEN`, and how to print: a table, or `--json`.
struct RouterOptions: ParsableArguments {
    @Option(name: .long, help: "Router base URL (default: the ROUTER_URL environment variable).")
    var routerURL: String?

    @Option(name: .long, help: "The router's admin token (default: ROUTER_ADMIN_TOKEN).")
    var adminToken: String?

    @Flag(name: .long, help: "Print the router's JSON answer instead of a table.")
    var json = false

    /// Sends one admin request; throws with the router's error text on a non-2xx answer.
    func call(_ method: String, _ path: String, body: Data? = nil, author: String? = nil) async throws -> Data {
        let environment = ProcessInfo.processInfo.environment
        guard let base = routerURL ?? environment["ROUTER_URL"], !base.isEmpty else {
            throw ValidationError("set --router-url or ROUTER_URL")
        }
        var headers: [(name: String, value: String)] = []
        if let token = adminToken ?? environment["ROUTER_ADMIN_TOKEN"] {
            headers.append((name: "Authorization", value: "Bearer \(token)"))
        }
        if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        if let author { headers.append((name: "X-Changed-By", value: author)) }
        return try await ServiceCall.send(service: "router", base: base, method, path, headers: headers, body: body)
            .body
    }

    /// `PUT /admin/routes/{model}` with `route`, recorded as made by `author` (else `USER`).
    func put(_ route: RouterAnswers.Route, author: String?) async throws -> Data {
        try await call(
            "PUT", "/admin/routes/\(route.model)", body: try JSONEncoder().encode(route),
            author: author ?? ProcessInfo.processInfo.environment["USER"])
    }

    /// Prints `data` as it came when `--json`, else `table(decoded)`.
    func show<Answer: Decodable>(_ data: Data, as type: Answer.Type, table: (Answer) -> String) throws {
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(table(try JSONDecoder().decode(Answer.self, from: data)))
        }
    }
}

/// The router's admin answers, as inferctl reads them.
enum RouterAnswers {
    struct Routes: Decodable {
        var routes: [Route]
        var version: Int64
        var shared: Bool
        var rollouts: [String: Rollout]?
    }

    struct Route: Codable {
        var model: String
        var targets: [Target]
        var strategy: String?
        var canary: Canary?
        var hedge: Hedge?
        var shadow: Shadow?
    }

    struct Hedge: Codable {
        var percentile: Double?
        var minDelayMS: Int?

        enum CodingKeys: String, CodingKey {
            case percentile
            case minDelayMS = "min_delay_ms"
        }
    }

    struct Shadow: Codable {
        var percent: Double
        var version: String?
        var backends: [String]?
        var maxConcurrent: Int?

        enum CodingKeys: String, CodingKey {
            case percent, version, backends
            case maxConcurrent = "max_concurrent"
        }
    }

    struct Target: Codable {
        var version: String?
        var weight: Int
        var backends: [String]?
    }

    struct Canary: Codable {
        var stable: String
        var canary: String
        var steps: [Int]?
        var windowMS: Int?
        var minRequests: Int?
        var maxErrorRate: Double?
        var maxP99Ratio: Double?

        enum CodingKeys: String, CodingKey {
            case stable, canary, steps
            case windowMS = "window_ms"
            case minRequests = "min_requests"
            case maxErrorRate = "max_error_rate"
            case maxP99Ratio = "max_p99_ratio"
        }
    }

    struct Rollout: Decodable {
        var stable: String
        var canary: String
        var phase: String
        var canaryPercent: Int

        enum CodingKeys: String, CodingKey {
            case stable, canary, phase
            case canaryPercent = "canary_percent"
        }
    }

    struct Backends: Decodable {
        var backends: [Backend]
    }

    struct Backend: Decodable {
        var name: String
        var url: String
        var weight: Int
        var health: String
        var breaker: String
        var ejected: Bool
        var outstanding: Int
        var latencyMS: Double?

        enum CodingKeys: String, CodingKey {
            case name, url, weight, health, breaker, ejected, outstanding
            case latencyMS = "latency_ms"
        }
    }

    struct History: Decodable {
        var changes: [Change]
    }

    struct Change: Decodable {
        var version: Int64
        var route: Route?
        var changedBy: String
        var changedAt: String

        enum CodingKeys: String, CodingKey {
            case version, route
            case changedBy = "changed_by"
            case changedAt = "changed_at"
        }
    }

    /// `1:90 2:10` for a route's targets.
    static func weights(_ targets: [Target]) -> String {
        targets.map { "\($0.version ?? "*"):\($0.weight)" }.joined(separator: " ")
    }
}
