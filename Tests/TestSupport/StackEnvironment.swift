import Foundation

/// Addresses of the local stack's real servers, from the environment or `.stack/env`.
///
/// `make test` exports them; running `swift test` by hand after `make up` reads `.stack/env`.
public struct StackEnvironment: Sendable {
    /// All variables found.
    public let values: [String: String]

    /// The environment of this test process, completed from the checkout's `.stack/env`.
    public static let current = StackEnvironment(
        process: ProcessInfo.processInfo.environment, envFile: repositoryRoot.appendingPathComponent(".stack/env"))

    /// The root of the checkout (the folder holding Package.swift).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    init(process: [String: String], envFile: URL) {
        var values = Self.parseEnvFile(envFile)
        values.merge(process) { _, processValue in processValue }
        self.values = values
    }

    /// True when the run demands every server (CI): missing ones then fail instead of skipping.
    public var requiresStack: Bool { values["REQUIRE_STACK"] == "1" }

    /// The Triton servers' base URLs (`TRITON_URLS`, comma-separated).
    public var tritonURLs: [String] {
        (values["TRITON_URLS"] ?? "").split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
    }

    /// True when tests needing Triton should run (configured, or required so they fail loudly).
    public var hasTriton: Bool { !tritonURLs.isEmpty || requiresStack }

    /// A variable, or a test failure message naming it.
    public func require(_ name: String) throws -> String {
        guard let value = values[name], !value.isEmpty else {
            throw StackNotConfigured(variable: name)
        }
        return value
    }

    /// Parses `export K=V` / `K=V` lines, with optional single or double quotes.
    static func parseEnvFile(_ url: URL) -> [String: String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for rawLine in text.split(separator: "\n") {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("export ") { line.removeFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[String(line[..<equals])] = value
        }
        return values
    }
}

/// Thrown when a test needs a server that the environment does not name.
public struct StackNotConfigured: Error, CustomStringConvertible {
    /// The missing variable.
    public let variable: String

    /// Creates the error for the missing `variable`.
    public init(variable: String) { self.variable = variable }

    public var description: String { "\(variable) is not set: run `make up` (or `make test`) first" }
}
