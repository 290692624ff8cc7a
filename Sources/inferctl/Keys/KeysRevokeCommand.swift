import ArgumentParser
import Foundation

/// `inferctl keys revoke ID`.
struct KeysRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke an API key for good; the gateway refuses it from the next request on.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The key's id, as `inferctl keys list` shows it.")
    var id: String

    func run() async throws {
        guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a key id (a UUID)") }
        let revoked = try await database.withKeyStore { store in try await store.revoke(uuid) }
        if revoked {
            print("revoked \(uuid.uuidString.lowercased())")
        } else {
            throw ValidationError("no active key has id \(uuid.uuidString.lowercased())")
        }
    }
}
