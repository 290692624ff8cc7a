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

    /// Records a canary rollout's decision, made by the replica `decidedBy`.
    public func recordCanaryDecision(
        model: String, action: String, canaryPercent: Int, reason: String, decidedBy: String
    ) async throws {
        try await pool.query(
            """
            INSERT INTO canary_decisions (model, action, canary_percent, reason, decided_by)
            VALUES ($1, $2, $3, $4, $5)
            """,
            [.text(model), .text(action), .int(Int64(canaryPercent)), .text(reason), .text(decidedBy)])
    }

    /// The latest canary decisions for `model`, newest first: (action, percent, reason, by, at).
    public func canaryDecisions(model: String, limit: Int) async throws -> [CanaryDecisionRow] {
        try await pool.query(
            """
            SELECT action, canary_percent, reason, decided_by, decided_at FROM canary_decisions
            WHERE model = $1 ORDER BY id DESC LIMIT $2
            """,
            [.text(model), .int(Int64(max(0, limit)))]
        ).map {
            CanaryDecisionRow(
                action: try $0.decode("action"), canaryPercent: try $0.decode("canary_percent"),
                reason: try $0.decode("reason"), decidedBy: try $0.decode("decided_by"),
                decidedAt: try $0.decode("decided_at"))
        }
    }

    /// One recorded canary decision.
    public struct CanaryDecisionRow: Sendable, Equatable {
        /// `promote`, `complete` or `rollback`.
        public var action: String
        /// The canary's percentage after it.
        public var canaryPercent: Int
        /// Why.
        public var reason: String
        /// The replica that decided.
        public var decidedBy: String
        /// When.
        public var decidedAt: Date
    }
}
