import ArgumentParser
import Foundation
import InferenceProtocol

/// `inferctl models list`: the models the gateway serves, with their versions and states.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "The models behind the gateway.", subcommands: [ModelsListCommand.self])
}

/// `inferctl models list [--json]`.
struct ModelsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every model version the backends hold, with its state.")

    @OptionGroup var gateway: GatewayOptions

    @Flag(name: .long, help: "Print the gateway's JSON answer instead of a table.")
    var json = false

    private struct Listing: Decodable {
        var models: [RepositoryModel]
    }

    func run() async throws {
        let data = try await gateway.call("GET", "/v1/models")
        guard !json else { return print(String(decoding: data, as: UTF8.self)) }
        let listing = try JSONDecoder().decode(Listing.self, from: data)
        print(
            Table.render(
                [["MODEL", "VERSION", "STATE"]]
                    + listing.models.map { [$0.name, $0.version ?? "-", $0.state ?? "-"] }))
    }
}
