/// The metadata keys this module logs with, kept in one place so dashboards can rely on them.
///
/// Messages are constant strings (`postgres.connection.failed`); details go in metadata. Nothing
/// logged ever holds a parameter value or the connection string.
enum PostgresLogKey {
    /// The error's description (already free of parameter values).
    static let error = "postgres.error"
    /// A server message's SQLSTATE.
    static let sqlState = "postgres.sqlstate"
    /// A server notice's severity (`NOTICE`, `WARNING`, …).
    static let severity = "postgres.severity"
    /// A migration's version number.
    static let migrationVersion = "postgres.migration.version"
    /// A migration's name.
    static let migrationName = "postgres.migration.name"
}
