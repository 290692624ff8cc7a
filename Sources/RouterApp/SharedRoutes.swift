import Foundation
import Logging
import PlatformStore
import PostgresClient
import Resilience
import Routing
import ServiceLifecycle

/// Keeps a router's routes in step with the routes every replica shares, as a `Service`.
///
/// Changes are written to PostgreSQL (``RouteStore``) by whichever replica takes them; each commit
/// notifies ``PlatformMigrations/routeChangesChannel``, and every replica listening there reloads
/// the stored routes and puts them in force over its routes file (``ModelRouter/applySharedRoutes(_:version:)``).
/// A (re)connection of the listener reloads too, so changes made while a replica was not
/// listening apply when it listens again; a reload that fails is tried again after a backoff.
public struct SharedRoutes: Service {
    private let store: RouteStore
    private let listener: PostgresListener
    private let router: ModelRouter
    private let logger: Logger
    private let reloads: AsyncStream<Void>
    private let requestReload: AsyncStream<Void>.Continuation
    /// Between failed reloads: 100 ms doubling to 5 s.
    private static let retry = Backoff()

    /// Shares `router`'s routes through `store`, hearing of changes with `listener` (on
    /// ``PlatformMigrations/routeChangesChannel``).
    public init(store: RouteStore, listener: PostgresListener, router: ModelRouter, logger: Logger) {
        self.store = store
        self.listener = listener
        self.router = router
        self.logger = logger
        (reloads, requestReload) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Shares `router`'s routes through the platform's tables on `pool`, hearing of changes on a
    /// connection of its own to `postgresURL`, named `applicationName` in PostgreSQL.
    public init(router: ModelRouter, pool: PostgresPool, postgresURL: String, applicationName: String, logger: Logger) {
        let listener = PostgresListener(
            configuration: .init(
                connection: PostgresConfiguration(
                    connectionString: postgresURL, poolSize: 1, applicationName: applicationName),
                channel: PlatformMigrations.routeChangesChannel),
            logger: logger)
        self.init(store: RouteStore(pool: pool), listener: listener, router: router, logger: logger)
    }

    /// Puts the stored routes in force before serving. PostgreSQL not answering is logged and
    /// stops nothing: the routes file serves, and the stored routes follow once the listener
    /// connects.
    public func loadAtStart() async {
        do {
            try await reload()
        } catch {
            logger.warning("router.routes.shared_unavailable_at_start", metadata: ["error": "\(error)"])
        }
    }

    /// Listens and reloads until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            await withDiscardingTaskGroup { group in
                group.addTask { await listener.run { event in handle(event) } }
                var failures = 0
                var generator = SystemRandomNumberGenerator()
                for await _ in reloads {
                    do {
                        try await reload()
                        failures = 0
                    } catch {
                        failures += 1
                        logger.warning("router.routes.shared_reload_failed", metadata: ["error": "\(error)"])
                        try? await Task.sleep(for: Self.retry.delay(attempt: failures, using: &generator))
                        requestReload.yield()
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// Stores `route` as a new shared version made by `changedBy`, and puts it in force here
    /// before returning its version (the other replicas follow when notified). Throws only when
    /// the change was not stored.
    public func save(_ route: ModelRoute, changedBy: String) async throws -> Int64 {
        try route.validate()
        let json = String(decoding: try JSONEncoder().encode(route), as: UTF8.self)
        let version = try await store.save(model: route.model, route: json, changedBy: changedBy)
        do {
            try await reload()
        } catch {
            // Stored: the notification (or the retry it leads to) puts it in force here too.
            logger.warning("router.routes.shared_reload_failed", metadata: ["error": "\(error)"])
            requestReload.yield()
        }
        return version
    }

    /// The latest changes of `model`'s route, newest first.
    public func history(model: String, limit: Int) async throws -> [RouteStore.Change] {
        try await store.history(model: model, limit: limit)
    }

    /// Reads every stored route and puts them in force; a stored route that no longer decodes
    /// or validates is logged and left out (the file's route for its model, if any, serves).
    public func reload() async throws {
        let stored = try await store.routes()
        var routes: [ModelRoute] = []
        for entry in stored {
            do {
                let route = try JSONDecoder().decode(ModelRoute.self, from: Data(entry.route.utf8))
                try route.validate()
                routes.append(route)
            } catch {
                logger.error(
                    "router.routes.shared_invalid",
                    metadata: ["model": "\(entry.model)", "routes.version": "\(entry.version)", "error": "\(error)"])
            }
        }
        try router.applySharedRoutes(routes, version: stored.map(\.version).max() ?? 0)
    }

    /// Runs on the listener's thread: asks the service's task for a reload.
    private func handle(_ event: PostgresListener.Event) {
        switch event {
        case .notification, .resynchronise:
            requestReload.yield()
        case .connectionLost:
            logger.warning("router.routes.shared_listener_lost")
        }
    }
}
