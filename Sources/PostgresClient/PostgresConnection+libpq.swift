import CLibpq
import Foundation
import Logging
import NIOPosix

/// The blocking libpq calls. Each runs on a thread of the pool's `NIOThreadPool`.
extension PostgresConnection {
    /// Opens a connection (blocking, bounded by `connect_timeout`).
    ///
    /// libpq's message never holds the password, but a malformed connection string could be echoed
    /// back, so such a string is rejected without quoting it and the password is redacted from
    /// any other message.
    static func open(
        configuration: PostgresConfiguration, threadPool: NIOThreadPool, logger: Logger
    ) throws -> PostgresConnection {
        guard let password = parsePassword(configuration.connectionString) else {
            throw PostgresError(code: .connectionFailed, message: "the connection string is not valid")
        }
        let parameters = configuration.connectionParameters
        let pointer = withCStrings(parameters.map(\.keyword) + [nil]) { keywords in
            withCStrings(parameters.map(\.value) + [nil]) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let pointer else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(pointer) == CONNECTION_OK else {
            let message = errorMessage(pointer)
            PQfinish(pointer)
            let redacted = PostgresError.redact(message, parameters: password.isEmpty ? [] : [password])
            throw PostgresError(code: .connectionFailed, message: redacted)
        }
        return PostgresConnection(pointer: pointer, threadPool: threadPool, logger: logger)
    }

    /// Runs one parameterized statement (blocking).
    func execute(_ sql: String, _ parameters: [PostgresValue?]) throws -> PostgresRows {
        let encoded = parameters.map { $0?.textEncoding }
        if let index = encoded.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                code: .queryFailed, sqlState: "22021",
                message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold")
        }
        let types: [Oid] = parameters.map { $0?.typeOID ?? 0 }
        return try handle.withLock { handle in
            let pointer = try Self.usablePointer(&handle)
            let result = Self.withCStrings(encoded) { values in
                PQexecParams(pointer, sql, Int32(parameters.count), types, values, nil, nil, 0)
            }
            return try Self.consume(result, pointer: pointer, handle: &handle, parameters: encoded.compactMap { $0 })
        }
    }

    /// Runs parameterless SQL that may hold several statements (blocking).
    func execute(script sql: String) throws {
        try handle.withLock { handle in
            let pointer = try Self.usablePointer(&handle)
            _ = try Self.consume(PQexec(pointer, sql), pointer: pointer, handle: &handle, parameters: [])
        }
    }

    private static func usablePointer(_ handle: inout Handle) throws -> OpaquePointer {
        guard let pointer = handle.pointer, !handle.broken else {
            throw PostgresError(code: .connectionFailed, message: "the connection is closed")
        }
        return pointer
    }

    /// Turns a `PGresult` into rows or an error, and frees it.
    private static func consume(
        _ result: OpaquePointer?, pointer: OpaquePointer, handle: inout Handle, parameters: [String]
    ) throws -> PostgresRows {
        guard let result else {
            handle.broken = PQstatus(pointer) != CONNECTION_OK
            throw PostgresError(code: .connectionFailed, message: errorMessage(pointer))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return rows(of: result)
        default:
            let connectionLost = PQstatus(pointer) != CONNECTION_OK
            handle.broken = handle.broken || connectionLost
            let sqlState = field(result, "C")
            let message = field(result, "M") ?? errorMessage(pointer)
            let error = PostgresError.server(
                sqlState: sqlState, message: PostgresError.redact(message, parameters: parameters))
            if connectionLost && error.code != .connectionFailed {
                throw PostgresError(code: .connectionFailed, sqlState: sqlState, message: error.message)
            }
            throw error
        }
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, row, column)!)
                    let buffer = UnsafeRawBufferPointer(start: bytes, count: length)
                    values.append(String(decoding: buffer, as: UTF8.self))
                }
            }
            rows.append(PostgresRow(columnNames: names, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PostgresRows(columnNames: names, rows: rows, rowsAffected: affected)
    }

    private static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let value = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: value)
    }

    static func errorMessage(_ pointer: OpaquePointer) -> String {
        let raw = PQerrorMessage(pointer).map { String(cString: $0) } ?? ""
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "the connection to the server was lost" : trimmed
    }

    /// The password named in a connection string ("" when none), or `nil` when libpq cannot
    /// parse the string.
    static func parsePassword(_ connectionString: String) -> String? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", let value = option.pointee.val {
                return String(cString: value)
            }
            option += 1
        }
        return ""
    }

    /// Passes `strings` to C as an array of NUL-terminated strings (`nil` stays a null pointer).
    static func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows
        -> R
    {
        let copies = strings.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        return try body(copies.map { $0.map { UnsafePointer($0) } })
    }
}
