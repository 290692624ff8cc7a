import ArgumentParser
import Foundation
import PlatformStore

/// `inferctl keys list [--principal NAME] [--active]`.
struct KeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List API keys (prefix, principal, scopes, state), newest first; never the keys."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Only this principal's keys.")
    var principal: String?

    @Flag(name: .long, help: "Leave out revoked keys.")
    var active = false

    func run() async throws {
        let keys = try await database.withKeyStore { store in
            try await store.list(principal: principal, includeRevoked: !active)
        }
        print(Self.row(["ID", "PREFIX", "PRINCIPAL", "SCOPES", "RATE", "CREATED", "STATE"]))
        for key in keys {
            print(
                Self.row([
                    key.id.uuidString.lowercased(), key.prefix + "…", key.principal, key.scopes.joined(separator: ","),
                    key.rateLimit.map { "\($0)/s" } ?? "default",
                    key.createdAt.formatted(.iso8601), key.isActive ? "active" : "revoked",
                ]))
        }
    }

    private static func row(_ columns: [String]) -> String {
        let widths = [36, 14, 16, 18, 8, 20, 7]
        return zip(columns, widths).map { column, width in
            column.count >= width ? column : column + String(repeating: " ", count: width - column.count)
        }.joined(separator: "  ")
    }
}
