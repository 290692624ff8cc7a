/// The result of one statement: its rows (possibly none) and the number of rows it affected.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// The names of the result columns, in order.
    public let columnNames: [String]
    /// Rows inserted, updated, deleted or selected, as the server reports it (`PQcmdTuples`).
    public let rowsAffected: Int

    private let rows: [PostgresRow]

    init(columnNames: [String], rows: [PostgresRow], rowsAffected: Int) {
        self.columnNames = columnNames
        self.rows = rows
        self.rowsAffected = rowsAffected
    }

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }

    /// Decodes `column` of the only row, or `nil` when there is no row.
    ///
    /// - Throws: ``PostgresError/Code-swift.struct/decodingFailed`` when there is more than one row
    ///   or the value does not decode.
    public func single<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let row = try singleRow() else { return nil }
        return try row.decode(column, as: type)
    }

    /// The only row, or `nil` when there is none; more than one row is an error.
    public func singleRow() throws -> PostgresRow? {
        guard rows.count <= 1 else {
            throw PostgresError.decoding("expected at most one row, got \(rows.count)")
        }
        return rows.first
    }
}

/// One row of a result, with its values in PostgreSQL's text format.
public struct PostgresRow: Sendable {
    /// The names of the columns, in order.
    public let columnNames: [String]
    private let values: [String?]

    init(columnNames: [String], values: [String?]) {
        self.columnNames = columnNames
        self.values = values
    }

    /// Decodes the named column; decode an `Optional` type to accept NULL.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columnNames.firstIndex(of: column) else {
            throw PostgresError.decoding("no column named \"\(column)\" in the result")
        }
        return try decode(index, as: type, label: column)
    }

    /// Decodes the column at `index` (0-based); decode an `Optional` type to accept NULL.
    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        guard values.indices.contains(index) else {
            throw PostgresError.decoding("column index \(index) is out of range (\(values.count) columns)")
        }
        return try decode(index, as: type, label: columnNames[index])
    }

    /// True when the named column is SQL NULL (or absent).
    public func isNull(_ column: String) -> Bool {
        guard let index = columnNames.firstIndex(of: column) else { return true }
        return values[index] == nil
    }

    private func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type, label: String) throws -> T {
        guard let text = values[index] else {
            guard let null = T.postgresNull else {
                throw PostgresError.decoding("column \"\(label)\" is NULL but \(T.self) is not optional")
            }
            return null
        }
        guard let value = T(postgresText: text[...]) else {
            // The value itself is left out: it may be a secret.
            throw PostgresError.decoding("column \"\(label)\" does not hold a valid \(T.self)")
        }
        return value
    }
}
