import Foundation
import Logging
import ServiceLifecycle

/// Reloads the routes when the routes file's content changes (polled; the file is small, and
/// content beats modification times, which miss a same-size edit within one second).
///
/// A file that fails to parse or validate is logged and ignored: the routes in force stay.
public struct RouteFileWatcher: Service {
    private let path: String
    private let router: ModelRouter
    private let interval: Duration
    private let logger: Logger
    /// The content the routes in force came from: taken at creation, right after the first load,
    /// so an edit made before `run()` starts is not missed.
    private let loadedContent: Data?

    /// Watches `path` every `interval` and applies its routes to `router`.
    public init(path: String, router: ModelRouter, interval: Duration = .seconds(2), logger: Logger) {
        self.path = path
        self.router = router
        self.interval = interval
        self.logger = logger
        loadedContent = Self.fingerprint(path)
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            var last = loadedContent
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

    private static func fingerprint(_ path: String) -> Data? {
        FileManager.default.contents(atPath: path)
    }
}
