/// How a transaction sees concurrent ones (`BEGIN ISOLATION LEVEL …`).
public enum PostgresIsolationLevel: String, Sendable {
    /// Each statement sees what was committed before it began (PostgreSQL's default).
    case readCommitted = "READ COMMITTED"
    /// The whole transaction sees one snapshot.
    case repeatableRead = "REPEATABLE READ"
    /// As if transactions ran one at a time; expect `serializationFailure` and retry.
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` inside `BEGIN` … `COMMIT` on this connection, and rolls back when it throws.
    ///
    /// A `serializationFailure` (from `COMMIT` or any statement) means the whole transaction may
    /// be retried.
    @discardableResult
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        level: PostgresIsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await query(level == .readCommitted ? "BEGIN" : "BEGIN ISOLATION LEVEL \(level.rawValue)")
        let result: Result
        do {
            result = try await body(self)
        } catch {
            // A failed ROLLBACK leaves the connection outside the idle state; the pool then
            // discards it, so that error adds nothing and the original one is kept.
            _ = try? await query("ROLLBACK")
            throw error
        }
        try await query("COMMIT")
        return result
    }
}
