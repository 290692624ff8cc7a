import Foundation
import Platform
import Testing

/// The one start-up rule the gateway, router and batch worker apply to secrets the repository ships.
@Suite("Shipped secrets")
struct ShippedSecretsTests {
    @Test("outside the local stack a shipped value is refused, naming the setting and never the value")
    func refusedOutsideLocal() {
        let settings: [(setting: String, value: String?)] = [
            ("callback.signing_secret", "change-me-please"),
            ("aws.secret_access_key", "local-secret-key-for-development-only"),
            ("unset", nil), ("fine", "f3a9c1d27e0b4c55a8e1b6d9f0c2a7e4"),
        ]
        let error = #expect(throws: ShippedSecretError.self) {
            try ShippedSecrets.refuse(settings, platformEnvironment: "production")
        }
        #expect(error?.description.contains("callback.signing_secret") == true)
        #expect(error?.description.contains("aws.secret_access_key") == true)
        #expect(error?.description.contains("fine") == false)
        #expect(error?.description.contains("local-secret-key") == false)
        #expect(throws: ShippedSecretError.self) { try ShippedSecrets.refuse(settings, platformEnvironment: nil) }
    }

    @Test("the local stack (PLATFORM_ENV=local) accepts them")
    func acceptedLocally() throws {
        try ShippedSecrets.refuse([("x", "change-me")], platformEnvironment: ShippedSecrets.localEnvironment)
    }

    @Test("every value of the example Secrets in k8s/examples is refused")
    func exampleSecretsAreRefused() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(
            contentsOf: root.appendingPathComponent("k8s/examples/secrets.example.yaml"), encoding: .utf8)
        var values: [String] = []
        var inData = false
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("stringData:") || line.hasPrefix("data:") {
                inData = true
                continue
            }
            guard inData, line.hasPrefix("  "), !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") else {
                inData = inData && line.hasPrefix("  ")
                continue
            }
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2 { values.append(pair[1].trimmingCharacters(in: .whitespaces)) }
        }
        #expect(values.count >= 6, "found \(values)")
        for value in values {
            #expect(ShippedSecrets.isExample(value), "\(value) would be accepted")
        }
    }

    @Test("passwords are read from URLs and libpq strings")
    func passwords() {
        #expect(ShippedSecrets.password(inConnectionString: "postgresql://u:p%40ss@h/db") == "p@ss")
        #expect(ShippedSecrets.password(inConnectionString: "redis://127.0.0.1:6379") == nil)
        #expect(ShippedSecrets.password(inConnectionString: "host=h user=u password=secret dbname=d") == "secret")
    }
}
