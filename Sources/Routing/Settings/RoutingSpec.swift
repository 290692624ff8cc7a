import Foundation
import Yams

/// The routes file: backends and per-model routes, in YAML.
///
/// ```yaml
/// backends:
///   - name: triton-a
///     url: http://127.0.0.1:8000
/// routes:
///   - model: digits
///     strategy: round_robin          # or weighted, least_outstanding
///     targets:
///       - { version: "1", weight: 90 }
///       - { version: "2", weight: 10 }
/// ```
public struct RoutingSpec: Sendable, Codable, Equatable {
    /// The Triton servers.
    public var backends: [BackendDescriptor]
    /// Model routes; models without one go to every backend.
    public var routes: [ModelRoute]

    /// Creates a spec.
    public init(backends: [BackendDescriptor], routes: [ModelRoute]) {
        self.backends = backends
        self.routes = routes
    }

    enum CodingKeys: String, CodingKey { case backends, routes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        backends = try container.decodeIfPresent([BackendDescriptor].self, forKey: .backends) ?? []
        routes = try container.decodeIfPresent([ModelRoute].self, forKey: .routes) ?? []
    }

    /// Reads and validates a routes file; errors name the file and what is wrong.
    public static func load(path: String) throws -> RoutingSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RoutingSpecError("cannot read routes file \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses and validates YAML text.
    public static func parse(_ text: String, source: String = "routes") throws -> RoutingSpec {
        let spec: RoutingSpec
        do {
            spec = try YAMLDecoder().decode(RoutingSpec.self, from: text)
        } catch {
            throw RoutingSpecError("\(source) is not a valid routes file: \(error)")
        }
        for route in spec.routes {
            do { try route.validate() } catch { throw RoutingSpecError("\(source): \(error)") }
        }
        let names = spec.backends.map(\.id)
        if Set(names).count != names.count { throw RoutingSpecError("\(source): backend names must be unique") }
        return spec
    }

    /// Backends from `name=url,name=url` (the `ROUTER_BACKENDS` variable), or a bare URL list.
    public static func backends(fromList list: String) -> [BackendDescriptor] {
        list.split(separator: ",").enumerated().map { index, entry in
            let item = entry.trimmingCharacters(in: .whitespaces)
            if let equals = item.firstIndex(of: "="), !item[..<equals].contains(":") {
                return BackendDescriptor(
                    id: BackendID(String(item[..<equals])), url: String(item[item.index(after: equals)...]))
            }
            return BackendDescriptor(id: BackendID("backend-\(index + 1)"), url: item)
        }
    }
}

/// A routes file that cannot be used; the message says which file and why.
public struct RoutingSpecError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
