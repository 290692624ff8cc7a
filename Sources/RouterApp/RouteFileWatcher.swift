import Foundation
import Logging
import Routing
import ServiceLifecycle

/// Reloads the routes when the routes file changes (polled by modification time and size).
///
/// A file that fails to parse or validate is logged and ignored: the routes in force stay.
public struct RouteFileWatcher: Service {
    private let path: String
    private let router: ModelRouter
    private let interval: Duration
    private let logger: Logger

    /// Watches `path` every `interval` and applies its routes to `router`.
    public init(path: String, router: ModelRouter, interval: Duration = .seconds(2), logger: Logger) {
        self.path = path
        self.router = router
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var last = Self.fingerprint(path)
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                let current = Self.fingerprint(path)
                guard current != last else { continue }
                last = current
                reload()
            }
        }
    }

    /// Reads the file and applies its routes; returns whether they were applied.
    @discardableResult
    public func reload() -> Bool {
        do {
            let spec = try RoutingSpec.load(path: path)
            try router.replaceRoutes(spec.routes)
            return true
        } catch {
            logger.error("router.routes.reload_failed", metadata: ["error": "\(error)", "file": "\(path)"])
            return false
        }
    }

    private static func fingerprint(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(modified)-\(attributes[.size] ?? 0)"
    }
}
