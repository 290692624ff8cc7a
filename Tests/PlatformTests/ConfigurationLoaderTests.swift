import Configuration
import Foundation
import Testing

@testable import Platform

@Suite("Configuration: YAML file with environment overrides")
struct ConfigurationLoaderTests {
    static func writeYAML(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).yaml")
            .path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("values come from the file, the environment wins, defaults fill the rest")
    func layering() async throws {
        let path = try Self.writeYAML(
            """
            router:
              listen:
                host: 127.0.0.1
                port: 8081
              retries: 2
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try await ConfigurationLoader.reader(
            filePath: path, environment: ["ROUTER_LISTEN_PORT": "9090"])
        #expect(reader.string(forKey: "router.listen.host") == "127.0.0.1")
        #expect(reader.int(forKey: "router.listen.port") == 9090)
        #expect(reader.int(forKey: "router.retries") == 2)
        #expect(reader.int(forKey: "router.missing", default: 7) == 7)
    }

    @Test("a named file that does not exist is an error, not silent defaults")
    func missingFile() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await ConfigurationLoader.reader(filePath: "/nonexistent/config.yaml", environment: [:])
        }
    }

    @Test("without a file, the environment alone configures")
    func environmentOnly() async throws {
        let reader = try await ConfigurationLoader.reader(filePath: nil, environment: ["LOG_LEVEL": "debug"])
        #expect(reader.string(forKey: "log.level") == "debug")
    }
}
