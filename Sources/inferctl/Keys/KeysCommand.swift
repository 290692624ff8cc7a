import ArgumentParser

/// `inferctl keys`: API keys for the gateway.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the gateway's API keys (stored as SHA-256 digests only).",
        subcommands: [KeysCreateCommand.self, KeysListCommand.self, KeysRevokeCommand.self])
}
