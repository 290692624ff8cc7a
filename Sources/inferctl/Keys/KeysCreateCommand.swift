import ArgumentParser
import Foundation

/// `inferctl keys create --principal NAME --scope infer [--scope batch] [--rate-limit N]`.
struct KeysCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API key; the key is printed once and cannot be shown again.")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "The principal (user or service) the key acts as.")
    var principal: String

    @Option(name: .long, help: "A scope to grant: infer, batch or admin. Repeat for several.")
    var scope: [String] = ["infer"]

    @Option(name: .long, help: "The key's own rate limit in requests per second (default: the gateway's).")
    var rateLimit: Int?

    @Flag(name: .long, help: "Print only the key (for scripts).")
    var quiet = false

    func validate() throws {
        let known: Set<String> = ["infer", "batch", "admin"]
        for name in scope where !known.contains(name) {
            throw ValidationError("unknown scope '\(name)'; use infer, batch or admin")
        }
        if let rateLimit, rateLimit <= 0 { throw ValidationError("--rate-limit must be positive") }
    }

    func run() async throws {
        let created = try await database.withKeyStore { store in
            try await store.create(principal: principal, scopes: scope, rateLimit: rateLimit)
        }
        if quiet {
            print(created.key)
            return
        }
        print("id:        \(created.id.uuidString.lowercased())")
        print("principal: \(principal)")
        print("scopes:    \(scope.joined(separator: " "))")
        print("key:       \(created.key)")
        print("Store the key now: it is not kept and cannot be shown again.")
    }
}
