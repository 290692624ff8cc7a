import ArgumentParser
import Foundation

/// `inferctl canary status|set|promote|rollback`: SLO-guarded rollouts.
struct CanaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary", abstract: "Start, watch, promote or roll back a model version's rollout.",
        subcommands: [
            CanaryStatusCommand.self, CanarySetCommand.self, CanaryPromoteCommand.self, CanaryRollbackCommand.self,
        ])
}

/// `inferctl canary status [MODEL]`.
struct CanaryStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Every rollout's phase and share.")

    @OptionGroup var router: RouterOptions

    @Argument(help: "Only this model.")
    var model: String?

    func run() async throws {
        try router.show(try await router.call("GET", "/admin/routes"), as: RouterAnswers.Routes.self) { answer in
            let rollouts = (answer.rollouts ?? [:]).filter { model == nil || $0.key == model }.sorted {
                $0.key < $1.key
            }
            return Table.render(
                [["MODEL", "STABLE", "CANARY", "PHASE", "CANARY %"]]
                    + rollouts.map {
                        [$0.key, $0.value.stable, $0.value.canary, $0.value.phase, String($0.value.canaryPercent)]
                    })
        }
    }
}

/// `inferctl canary set MODEL --stable 1 --canary 2 [policy options]`.
struct CanarySetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Start a rollout of --canary over --stable, guarded by an SLO.")

    @OptionGroup var router: RouterOptions

    @Argument(help: "The model.")
    var model: String

    @Option(name: .long, help: "The version traffic comes from.")
    var stable: String

    @Option(name: .long, help: "The version to roll out.")
    var canary: String

    @Option(name: .long, help: "The canary's percentages, comma-separated, ending at 100.")
    var steps = "5,25,50,100"

    @Option(name: .long, help: "How long each step is watched, in milliseconds.")
    var windowMs = 60_000

    @Option(name: .long, help: "Canary requests a window needs before it is judged.")
    var minRequests = 100

    @Option(name: .long, help: "The largest canary error rate (0-1).")
    var maxErrorRate = 0.01

    @Option(name: .long, help: "The largest canary p99 as a multiple of the stable version's.")
    var maxP99Ratio: Double?

    @Option(name: .long, help: "Your name for the audit trail (default: the USER environment variable).")
    var author: String?

    func run() async throws {
        let percentages = try steps.split(separator: ",").map { text -> Int in
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--steps '\(steps)': expected whole percentages, e.g. 5,25,50,100")
            }
            return value
        }
        let route = RouterAnswers.Route(
            model: model,
            targets: [.init(version: stable, weight: 100), .init(version: canary, weight: 0)],
            canary: .init(
                stable: stable, canary: canary, steps: percentages, windowMS: windowMs, minRequests: minRequests,
                maxErrorRate: maxErrorRate, maxP99Ratio: maxP99Ratio))
        let answer = try await router.put(route, author: author)
        if router.json {
            print(String(decoding: answer, as: UTF8.self))
        } else {
            print(
                "\(model): rolling out version \(canary) over \(stable) in steps \(percentages.map(String.init).joined(separator: " → "))%"
            )
        }
    }
}

/// Ends a rollout at once with the whole of the traffic on one of its versions.
protocol CanaryEnding: AsyncParsableCommand {
    var router: RouterOptions { get }
    var model: String { get }
    var author: String? { get }
    /// Which version takes all traffic.
    static func winner(of rollout: RouterAnswers.Rollout) -> String
}

extension CanaryEnding {
    func run() async throws {
        let routes = try JSONDecoder().decode(
            RouterAnswers.Routes.self, from: try await router.call("GET", "/admin/routes"))
        guard let rollout = routes.rollouts?[model] else { throw CommandFailure("\(model) has no rollout") }
        let winner = Self.winner(of: rollout)
        let loser = winner == rollout.canary ? rollout.stable : rollout.canary
        guard var route = routes.routes.first(where: { $0.model == model }) else {
            throw CommandFailure("\(model) has no route")
        }
        route.targets = [.init(version: winner, weight: 100), .init(version: loser, weight: 0)]
        route.canary = nil
        _ = try await router.put(route, author: author)
        print("\(model): version \(winner) serves 100%; the rollout is over")
    }
}

/// `inferctl canary promote MODEL`.
struct CanaryPromoteCommand: CanaryEnding {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "End the rollout with the canary serving 100%.")
    @OptionGroup var router: RouterOptions
    @Argument(help: "The model.") var model: String
    @Option(name: .long, help: "Your name for the audit trail.") var author: String?
    static func winner(of rollout: RouterAnswers.Rollout) -> String { rollout.canary }
}

/// `inferctl canary rollback MODEL`.
struct CanaryRollbackCommand: CanaryEnding {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "End the rollout with the stable version serving 100%.")
    @OptionGroup var router: RouterOptions
    @Argument(help: "The model.") var model: String
    @Option(name: .long, help: "Your name for the audit trail.") var author: String?
    static func winner(of rollout: RouterAnswers.Rollout) -> String { rollout.stable }
}
