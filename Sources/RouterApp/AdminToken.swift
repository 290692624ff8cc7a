import Foundation
import Platform

/// The bearer token that guards the router's admin API (`/admin/...`).
///
/// Read from `router.admin.token` (`ROUTER_ADMIN_TOKEN`) or from the file named by
/// `router.admin.token_file` (`ROUTER_ADMIN_TOKEN_FILE`, e.g. a mounted Kubernetes Secret).
/// Compared in time that depends only on the presented token's length, never on the secret.
public struct AdminToken: Sendable {
    private let secret: [UInt8]

    /// The shortest token accepted outside the local stack.
    public static let minimumLength = 16

    /// A token of `value` with surrounding white space (a file's trailing newline) removed;
    /// nil when nothing is left.
    public init?(_ value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        secret = Array(trimmed.utf8)
    }

    /// Whether `presented` is the token, in time independent of where the two differ.
    public func matches(_ presented: some StringProtocol) -> Bool {
        let bytes = Array(presented.utf8)
        var difference: UInt8 = bytes.count == secret.count ? 0 : 1
        for (index, byte) in bytes.enumerated() {
            difference |= byte ^ secret[index % secret.count]
        }
        return difference == 0
    }

    /// The configured token: `value` if set, else the content of `file`; nil when neither is set.
    ///
    /// Outside the local stack (`platformEnvironment` other than `local`) an example value or one
    /// shorter than ``minimumLength`` is refused, so the router does not start with it.
    public static func load(value: String?, file: String?, platformEnvironment: String?) throws -> AdminToken? {
        var raw = value
        if raw?.isEmpty ?? true, let file, !file.isEmpty {
            do {
                raw = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw AdminTokenError("cannot read the admin token file router.admin.token_file (\(file))")
            }
        }
        guard let raw, let token = AdminToken(raw) else { return nil }
        guard platformEnvironment != ShippedSecrets.localEnvironment else { return token }
        do {
            try ShippedSecrets.refuse(
                [("the router admin token (ROUTER_ADMIN_TOKEN)", String(decoding: token.secret, as: UTF8.self))],
                platformEnvironment: platformEnvironment)
        } catch {
            throw AdminTokenError(error.description)
        }
        if token.secret.count < minimumLength {
            throw AdminTokenError(
                "refusing to start: the router admin token (ROUTER_ADMIN_TOKEN) is shorter than \(minimumLength) "
                    + "characters; set a random secret (e.g. openssl rand -hex 32)")
        }
        return token
    }
}

/// A router admin token that cannot be used; the message names the setting, never its value.
public struct AdminTokenError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
