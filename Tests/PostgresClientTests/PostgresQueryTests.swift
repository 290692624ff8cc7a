import Foundation
import PostgresClient
import Testing

@Suite("Queries on the stack's PostgreSQL", .serialized, .timeLimit(.minutes(2)))
struct PostgresQueryTests {
    @Test("every supported type round-trips, NULL included")
    func typesRoundTrip() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let id = UUID()
            let instant = Date(timeIntervalSince1970: 1_714_566_896.123456)
            let bytes = Data((0...255).map { UInt8($0) })
            let rows = try await pool.query(
                """
                SELECT $1::text AS text, $2::int8 AS big, $3::int4 AS small, $4::float8 AS double,
                       $5::bool AS flag, $6::uuid AS id, $7::timestamptz AS instant, $8::bytea AS bytes,
                       $9::text[] AS list, $10::text AS missing
                """,
                [
                    .text("zürich ☃︎ 東京 🚀"), .int(Int64.max), .int(-42), .double(-0.1), .bool(true), .uuid(id),
                    .timestamp(instant), .bytes(bytes), .textArray(["a", "b c", "\"q\"", "x\\y", nil, ""]), nil,
                ])
            let row = try #require(try rows.singleRow())
            #expect(try row.decode("text", as: String.self) == "zürich ☃︎ 東京 🚀")
            #expect(try row.decode("big", as: Int64.self) == Int64.max)
            #expect(try row.decode("small", as: Int.self) == -42)
            #expect(try row.decode("small", as: Int32.self) == -42)
            #expect(try row.decode("double", as: Double.self) == -0.1)
            #expect(try row.decode("flag", as: Bool.self) == true)
            #expect(try row.decode("id", as: UUID.self) == id)
            let decodedInstant = try row.decode("instant", as: Date.self)
            #expect(abs(decodedInstant.timeIntervalSince(instant)) < 0.000_001)
            #expect(try row.decode("bytes", as: Data.self) == bytes)
            #expect(try row.decode("list", as: [String?].self) == ["a", "b c", "\"q\"", "x\\y", nil, ""])
            #expect(try row.decode("missing", as: String?.self) == nil)
            #expect(row.isNull("missing"))
            #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
            #expect(throws: PostgresError.self) { try row.decode("text", as: Int.self) }
        }
    }

    @Test("NULL of every type decodes as nil, and special doubles survive")
    func nullsAndSpecialValues() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let row = try #require(
                try await pool.query(
                    """
                    SELECT NULL::int8 AS i, NULL::bool AS b, NULL::uuid AS u, NULL::timestamptz AS t,
                           NULL::bytea AS d, NULL::text[] AS a, $1::float8 AS inf, $2::float8 AS nan,
                           '{}'::text[] AS empty, $3::float8 AS tiny
                    """, [.double(.infinity), .double(.nan), .double(.leastNonzeroMagnitude)]
                ).singleRow())
            #expect(try row.decode("i", as: Int?.self) == nil)
            #expect(try row.decode("b", as: Bool?.self) == nil)
            #expect(try row.decode("u", as: UUID?.self) == nil)
            #expect(try row.decode("t", as: Date?.self) == nil)
            #expect(try row.decode("d", as: Data?.self) == nil)
            #expect(try row.decode("a", as: [String]?.self) == nil)
            #expect(try row.decode("inf", as: Double.self) == .infinity)
            #expect(try row.decode("nan", as: Double.self).isNaN)
            #expect(try row.decode("empty", as: [String].self) == [])
            #expect(try row.decode("tiny", as: Double.self) == .leastNonzeroMagnitude)
        }
    }

    @Test("values are stored literally: an injection attempt is just text")
    func injectionIsStoredLiterally() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.query("CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)")
            let attack = "x'); DROP TABLE notes; --"
            let inserted = try await pool.query(
                "INSERT INTO notes (id, body) VALUES ($1, $2), ($3, $4)",
                [.int(1), .text(attack), .int(2), .text("$1 ' \" \\ ;")])
            #expect(inserted.rowsAffected == 2)
            let rows = try await pool.query("SELECT body FROM notes ORDER BY id")
            #expect(try rows.map { try $0.decode("body", as: String.self) } == [attack, "$1 ' \" \\ ;"])
            let updated = try await pool.query("UPDATE notes SET body = body || '!' WHERE id >= $1", [.int(1)])
            #expect(updated.rowsAffected == 2)
        }
    }

    @Test("server errors carry SQLSTATE and message but never the parameter values")
    func errorsAreClassifiedAndRedacted() async throws {
        try await TestDatabase.withSchema { pool, _ in
            try await pool.query("CREATE TABLE keys (name text PRIMARY KEY)")
            try await pool.query("INSERT INTO keys VALUES ($1)", [.text("top-secret-value")])
            let duplicate = await #expect(throws: PostgresError.self) {
                try await pool.query("INSERT INTO keys VALUES ($1)", [.text("top-secret-value")])
            }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate.map { !"\($0)".contains("top-secret-value") } == true)

            let badInput = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT $1::int AS n", [.text("hunter2-password")])
            }
            #expect(badInput?.code == .queryFailed)
            #expect(badInput?.sqlState == "22P02")
            #expect(badInput.map { !"\($0)".contains("hunter2") } == true)
            #expect(badInput.map { "\($0)".contains("invalid input syntax") } == true)

            let syntax = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
            #expect(syntax?.sqlState == "42601")

            let nul = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT $1::text", [.text("a\u{0}b")])
            }
            #expect(nul?.code == .queryFailed)
        }
    }

    @Test("a statement past statement_timeout fails with timeout and the connection stays usable")
    func statementTimeout() async throws {
        var configuration = try TestDatabase.configuration(schema: nil, poolSize: 1)
        configuration.statementTimeout = .milliseconds(200)
        let pool = PostgresPool(configuration: configuration)
        // Only the server's 200 ms statement timeout can end a 60 s sleep before the suite's time limit.
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT pg_sleep(60)") }
        #expect(error?.code == .timeout)
        #expect(error?.sqlState == "57014")
        #expect(try await pool.query("SELECT 1 AS one").single("one", as: Int.self) == 1)
        await pool.shutdown()
    }

    @Test("rows decode by position and by name; empty results have no row")
    func rowAccess() async throws {
        try await TestDatabase.withSchema { pool, _ in
            let rows = try await pool.query("SELECT g AS n, g * 2 AS twice FROM generate_series(1, 3) AS g")
            #expect(rows.count == 3)
            #expect(rows.columnNames == ["n", "twice"])
            #expect(try rows.map { try $0.decode(1, as: Int.self) } == [2, 4, 6])
            #expect(throws: PostgresError.self) { try rows.singleRow() }
            #expect(throws: PostgresError.self) { try rows[0].decode("absent", as: Int.self) }
            let none = try await pool.query("SELECT 1 AS n WHERE false")
            #expect(try none.single("n", as: Int.self) == nil)
        }
    }
}
