import Foundation
import Platform
import TestSupport
import Testing

@testable import Gateway

/// The start-up refusal of secrets shipped in the repository, and that its one list covers every
/// secret the repository's example and local-stack files hold.
@Suite("Shipped secrets are refused outside the local stack")
struct ExampleSecretsTests {
    /// `NAME=value` pairs of a file whose name marks a secret (password, secret, token, key id).
    static func secretAssignments(in path: String) throws -> [(name: String, value: String)] {
        let text = try String(
            contentsOf: StackEnvironment.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
        var pairs: [(name: String, value: String)] = []
        for line in text.split(whereSeparator: \.isNewline) {
            // .env lines (`NAME=value`) and config/stack.env defaults (`: "${NAME:=value}"`).
            var body = line.trimmingCharacters(in: .whitespaces)
            guard !body.hasPrefix("#") else { continue }
            if body.hasPrefix(": \"${") {
                body = String(body.dropFirst(5).dropLast(2)).replacingOccurrences(of: ":=", with: "=")
            }
            let parts = body.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let name = parts[0].uppercased()
            guard ["PASSWORD", "SECRET", "ACCESS_KEY", "TOKEN"].contains(where: name.contains) else { continue }
            pairs.append((parts[0], parts[1]))
        }
        return pairs
    }

    @Test(
        "every secret in .env.example and config/stack.env is on the list",
        arguments: [".env.example", "config/stack.env"])
    func listCoversShippedFiles(_ path: String) throws {
        let pairs = try Self.secretAssignments(in: path)
        #expect(!pairs.isEmpty, "no secrets found in \(path)")
        for pair in pairs {
            #expect(ShippedSecrets.isExample(pair.value), "\(path): \(pair.name) is not on the list")
        }
    }

    @Test("the .env.example JWT secret stops the gateway unless PLATFORM_ENV=local; the message hides it")
    func envExampleSecretRefused() throws {
        let shipped = try #require(
            try Self.secretAssignments(in: ".env.example").first { $0.name == "JWT_HS256_SECRET" }?.value)
        var settings = GatewaySettings()
        settings.jwt.hs256Secret = shipped
        let error = #expect(throws: GatewayConfigurationError.self) { try ExampleSecrets.check(settings) }
        #expect(error?.description.contains("JWT_HS256_SECRET") == true)
        #expect(error?.description.contains(shipped) == false)
        settings.platformEnvironment = "local"
        #expect(throws: Never.self) { try ExampleSecrets.check(settings) }
        settings.platformEnvironment = "production"
        #expect(throws: GatewayConfigurationError.self) { try ExampleSecrets.check(settings) }
    }

    @Test("the local stack's secret and database password are refused elsewhere; own secrets pass")
    func stackDefaultsRefused() throws {
        var settings = GatewaySettings()
        settings.jwt.hs256Secret = "local-development-only-hs256-secret-0123456789"
        #expect(throws: GatewayConfigurationError.self) { try ExampleSecrets.check(settings) }
        settings.jwt.hs256Secret = UUID().uuidString + UUID().uuidString
        settings.postgresURL = "postgresql://inference:inference@127.0.0.1:15432/inference"
        settings.redisURL = "redis://127.0.0.1:16379"
        let error = #expect(throws: GatewayConfigurationError.self) { try ExampleSecrets.check(settings) }
        #expect(error?.description.contains("POSTGRES_URL") == true)
        settings.postgresURL = "postgresql://gateway:\(UUID().uuidString)@db:5432/inference"
        settings.redisURL = "redis://:Change-Me-Redis@redis:6379/0"
        #expect(throws: GatewayConfigurationError.self) { try ExampleSecrets.check(settings) }
        settings.redisURL = "redis://:\(UUID().uuidString)@redis:6379/0"
        #expect(throws: Never.self) { try ExampleSecrets.check(settings) }
    }
}
