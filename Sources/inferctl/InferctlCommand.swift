import ArgumentParser

/// `inferctl`: the operator's command line.
@main
struct InferctlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inferctl",
        abstract: "Operate the inference platform.",
        subcommands: [
            KeysCommand.self, BatchCommand.self, ModelsCommand.self, RoutesCommand.self, BackendsCommand.self,
            CanaryCommand.self, ShadowCommand.self,
        ])
}
