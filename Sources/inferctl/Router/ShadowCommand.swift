import ArgumentParser
import Foundation

/// `inferctl shadow set|off`: mirror a share of a model's inference to a shadow version.
struct ShadowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shadow", abstract: "Mirror a share of a model's traffic, or stop.",
        subcommands: [ShadowSetCommand.self, ShadowOffCommand.self])
}

/// Changes the shadow policy of a model's route in force, keeping the rest of it.
protocol ShadowChange: AsyncParsableCommand {
    var router: RouterOptions { get }
    var model: String { get }
    var author: String? { get }
    /// The policy to set; nil turns mirroring off.
    var policy: RouterAnswers.Shadow? { get }
}

extension ShadowChange {
    func run() async throws {
        let routes = try JSONDecoder().decode(
            RouterAnswers.Routes.self, from: try await router.call("GET", "/admin/routes"))
        guard var route = routes.routes.first(where: { $0.model == model }) else {
            throw CommandFailure("\(model) has no route: set one first (inferctl routes set)")
        }
        route.shadow = policy
        _ = try await router.put(route, author: author)
        print(
            policy.map { "\(model): mirroring \($0.percent)% to \($0.version ?? "the same version")" }
                ?? "\(model): no mirroring")
    }
}

/// `inferctl shadow set MODEL --percent 10 [--version 2] [--max-concurrent 8]`.
struct ShadowSetCommand: ShadowChange {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Mirror --percent of the model's inference to --version.")
    @OptionGroup var router: RouterOptions
    @Argument(help: "The model.") var model: String
    @Option(name: .long, help: "The share mirrored, 0-100.") var percent: Double
    @Option(name: .long, help: "The shadow version (default: the primary's).") var version: String?
    @Option(name: .long, help: "Copies in flight at most; more are dropped.") var maxConcurrent = 8
    @Option(name: .long, help: "Your name for the audit trail.") var author: String?
    var policy: RouterAnswers.Shadow? {
        RouterAnswers.Shadow(percent: percent, version: version, maxConcurrent: maxConcurrent)
    }
}

/// `inferctl shadow off MODEL`.
struct ShadowOffCommand: ShadowChange {
    static let configuration = CommandConfiguration(commandName: "off", abstract: "Stop mirroring the model.")
    @OptionGroup var router: RouterOptions
    @Argument(help: "The model.") var model: String
    @Option(name: .long, help: "Your name for the audit trail.") var author: String?
    var policy: RouterAnswers.Shadow? { nil }
}
