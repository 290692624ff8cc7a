import Foundation
import PostgresClient

/// Model routes shared by every router replica, in PostgreSQL (`routes`, `route_changes`).
///
/// A route is stored as the router encodes it (JSON); this store does not read it. Each
/// ``save(model:route:changedBy:)`` is a new version, recorded with who made it and when, and
/// notified on ``PlatformMigrations/routeChangesChannel`` when it commits.
public struct RouteStore: Sendable {
    /// One model's route as stored.
    public struct StoredRoute: Sendable, Equatable {
        /// The model the route is for.
        public var model: String
        /// The route, as JSON.
        public var route: String
        /// The change it came from.
        public var version: Int64
    }

    /// One change, for the audit trail.
    public struct Change: Sendable, Equatable {
        /// The change's version (increasing over every model).
        public var version: Int64
        /// The model it changed.
        public var model: String
        /// The route it set, as JSON.
        public var route: String
        /// Who made it, as the caller named them.
        public var changedBy: String
        /// When it was made (the database's clock).
        public var changedAt: Date
    }

    private let pool: PostgresPool

    /// Creates a store over `pool`; the schema must come from ``PlatformMigrations``.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Records a new route for `model` and returns its version.
    ///
    /// Two changes committed at once for one model leave the one with the higher version in force.
    public func save(model: String, route: String, changedBy: String) async throws -> Int64 {
        guard !model.isEmpty else { throw PlatformStoreError.invalidArgument("the model must not be empty") }
        return try await pool.withTransaction { connection in
            let inserted = try await connection.query(
                "INSERT INTO route_changes (model, route, changed_by) VALUES ($1, $2::jsonb, $3) RETURNING version",
                [.text(model), .text(route), .text(changedBy)])
            guard let version = try inserted.single("version", as: Int64.self) else {
                throw PlatformStoreError.invalidArgument("the change was not recorded")
            }
            try await connection.query(
                """
                INSERT INTO routes (model, route, version) VALUES ($1, $2::jsonb, $3)
                ON CONFLICT (model) DO UPDATE SET route = EXCLUDED.route, version = EXCLUDED.version
                    WHERE routes.version < EXCLUDED.version
                """,
                [.text(model), .text(route), .int(version)])
            try await connection.query(
                "SELECT pg_notify($1, $2)", [.text(PlatformMigrations.routeChangesChannel), .text(String(version))])
            return version
        }
    }

    /// Every stored route, by model.
    public func routes() async throws -> [StoredRoute] {
        try await pool.query("SELECT model, route::text AS route, version FROM routes ORDER BY model").map {
            StoredRoute(
                model: try $0.decode("model"), route: try $0.decode("route"), version: try $0.decode("version"))
        }
    }

    /// The latest changes of `model`, newest first, at most `limit`.
    public func history(model: String, limit: Int) async throws -> [Change] {
        try await pool.query(
            """
            SELECT version, model, route::text AS route, changed_by, changed_at FROM route_changes
            WHERE model = $1 ORDER BY version DESC LIMIT $2
            """,
            [.text(model), .int(Int64(max(0, limit)))]
        ).map {
            Change(
                version: try $0.decode("version"), model: try $0.decode("model"), route: try $0.decode("route"),
                changedBy: try $0.decode("changed_by"), changedAt: try $0.decode("changed_at"))
        }
    }
}
