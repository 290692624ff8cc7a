import ArgumentParser
import Foundation

/// `inferctl routes show|set|history`: the router's model routes.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Show and change the router's model routes.",
        subcommands: [RoutesShowCommand.self, RoutesSetCommand.self, RoutesHistoryCommand.self])
}

/// `inferctl routes show`.
struct RoutesShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Every route in force: targets and weights, strategy, rollout.")

    @OptionGroup var router: RouterOptions

    func run() async throws {
        try router.show(try await router.call("GET", "/admin/routes"), as: RouterAnswers.Routes.self) { answer in
            var rows = [["MODEL", "TARGETS (version:weight)", "STRATEGY", "ROLLOUT"]]
            for route in answer.routes {
                let rollout = answer.rollouts?[route.model].map { "\($0.phase) \($0.canaryPercent)% on \($0.canary)" }
                rows.append([
                    route.model, RouterAnswers.weights(route.targets), route.strategy ?? "round_robin", rollout ?? "-",
                ])
            }
            let footer =
                answer.shared
                ? "shared routes: this replica serves version \(answer.version)"
                : "routes are not shared: changes apply to this replica only"
            return Table.render(rows) + "\n" + footer
        }
    }
}

/// `inferctl routes set MODEL --target 1=90 --target 2=10 [--strategy S]`.
struct RoutesSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Set a model's targets (version=weight) and strategy.")

    @OptionGroup var router: RouterOptions

    @Argument(help: "The model.")
    var model: String

    @Option(name: .long, help: "A target as VERSION=WEIGHT (repeat); '*' is the unversioned target.")
    var target: [String] = []

    @Option(name: .long, help: "round_robin, weighted, least_outstanding or least_queue.")
    var strategy: String?

    @Option(name: .long, help: "Your name for the audit trail (default: the USER environment variable).")
    var author: String?

    func run() async throws {
        guard !target.isEmpty else { throw ValidationError("give at least one --target VERSION=WEIGHT") }
        let targets = try target.map { text -> RouterAnswers.Target in
            let parts = text.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let weight = Int(parts[1]) else {
                throw ValidationError("--target '\(text)': expected VERSION=WEIGHT, e.g. 2=10")
            }
            return RouterAnswers.Target(version: parts[0] == "*" ? nil : String(parts[0]), weight: weight)
        }
        let route = RouterAnswers.Route(model: model, targets: targets, strategy: strategy)
        let answer = try await router.put(route, author: author)
        if router.json {
            print(String(decoding: answer, as: UTF8.self))
        } else {
            print("\(model): \(RouterAnswers.weights(targets))")
        }
    }
}

/// `inferctl routes history MODEL`.
struct RoutesHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "A model's route changes, newest first (shared routes only).")

    @OptionGroup var router: RouterOptions

    @Argument(help: "The model.")
    var model: String

    @Option(name: .long, help: "At most this many changes.")
    var limit = 20

    func run() async throws {
        let data = try await router.call("GET", "/admin/routes/\(model)/history?limit=\(limit)")
        try router.show(data, as: RouterAnswers.History.self) { answer in
            Table.render(
                [["VERSION", "WHEN", "BY", "TARGETS"]]
                    + answer.changes.map {
                        [
                            String($0.version), $0.changedAt, $0.changedBy,
                            $0.route.map { RouterAnswers.weights($0.targets) } ?? "?",
                        ]
                    })
        }
    }
}

/// `inferctl backends`.
struct BackendsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backends", abstract: "The router's backends: health, breaker, load, latency.")

    @OptionGroup var router: RouterOptions

    func run() async throws {
        try router.show(try await router.call("GET", "/admin/backends"), as: RouterAnswers.Backends.self) { answer in
            Table.render(
                [["NAME", "URL", "HEALTH", "BREAKER", "EJECTED", "IN FLIGHT", "LATENCY"]]
                    + answer.backends.map {
                        [
                            $0.name, $0.url, $0.health, $0.breaker, $0.ejected ? "yes" : "no", String($0.outstanding),
                            $0.latencyMS.map { String(format: "%.1f ms", $0) } ?? "-",
                        ]
                    })
        }
    }
}
