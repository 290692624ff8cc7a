import Foundation
import Testing

@testable import PostgresClient

@Suite("Text formats of parameters and columns")
struct ValueCodingTests {
    @Test("timestamps format in UTC with microseconds")
    func formatsTimestamps() {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(
            PostgresTimestamp.format(Date(timeIntervalSince1970: 1_714_566_896.789012))
                == "2024-05-01 12:34:56.789012+00")
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31 23:59:59.000000+00")
        #expect(PostgresTimestamp.format(.distantFuture) == "infinity")
    }

    @Test(
        "timestamps parse the server's forms",
        arguments: [
            ("2024-05-01 12:34:56.789012+00", 1_714_566_896.789012),
            ("2024-05-01 12:34:56+00", 1_714_566_896),
            ("2024-05-01 14:34:56.5+02", 1_714_566_896.5),
            ("2024-05-01 07:04:56-05:30", 1_714_566_896),
            ("2000-02-29 00:00:00", 951_782_400),
            ("1969-12-31 23:59:59.999999+00", -0.000001),
        ])
    func parsesTimestamps(text: String, seconds: Double) throws {
        let date = try #require(PostgresTimestamp.parse(text[...]))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_000_5)
    }

    @Test(
        "malformed timestamps are rejected",
        arguments: ["", "2024-13-01 00:00:00", "2024-05-01", "x", "2024-05-01 1:2:3"])
    func rejectsTimestamps(text: String) {
        #expect(PostgresTimestamp.parse(text[...]) == nil)
    }

    @Test("timestamps round-trip through the text form")
    func timestampRoundTrip() throws {
        for seconds in [0.0, 1.5, -86_400.25, 4_102_444_800.123456, -62_135_596_800] {
            let date = Date(timeIntervalSince1970: seconds)
            let parsed = try #require(PostgresTimestamp.parse(PostgresTimestamp.format(date)[...]))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.000_001)
        }
    }

    @Test("array literals quote, escape and parse back")
    func arrayLiterals() throws {
        let elements: [String?] = ["plain", "with space", "quote\"d", "back\\slash", "{braces,comma}", nil, "NULL", ""]
        let literal = PostgresArrayLiteral.format(elements)
        #expect(literal.hasPrefix("{\"plain\",\"with space\",\"quote\\\"d\""))
        #expect(PostgresArrayLiteral.parse(literal[...]) == elements)
        #expect(PostgresArrayLiteral.parse("{}") == [])
        #expect(PostgresArrayLiteral.parse("{a,NULL,\"b c\"}") == ["a", nil, "b c"])
        #expect(PostgresArrayLiteral.parse("[0:1]={x,y}") == ["x", "y"])
        #expect(PostgresArrayLiteral.parse("{{1,2},{3,4}}") == nil)
        #expect(PostgresArrayLiteral.parse("not an array") == nil)
    }

    @Test("bytea decodes from hex and rejects other forms")
    func byteaDecoding() {
        #expect(Data(postgresText: "\\x00ff10") == Data([0x00, 0xff, 0x10]))
        #expect(Data(postgresText: "\\x") == Data())
        #expect(Data(postgresText: "\\x0") == nil)
        #expect(Data(postgresText: "abc") == nil)
        #expect(PostgresValue.bytes(Data([0xde, 0xad])).textEncoding == "\\xdead")
    }

    @Test("an error description never holds the parameters it was given")
    func redactsParameters() {
        let message = PostgresError.redact(
            "invalid input syntax for type integer: \"hunter2-secret\"", parameters: ["hunter2-secret", "x"])
        #expect(message == "invalid input syntax for type integer: \"<redacted>\"")
        let short = PostgresError.redact("invalid input syntax for type uuid: \"ab\"", parameters: ["ab"])
        #expect(!short.contains("\"ab\""))
    }

    @Test("a configuration's description hides the connection string")
    func configurationDescription() {
        let configuration = PostgresConfiguration(connectionString: "postgresql://app:s3cr3t-pw@db:5432/app")
        #expect(!"\(configuration)".contains("s3cr3t-pw"))
        let options = configuration.connectionParameters.first { $0.keyword == "options" }?.value ?? ""
        #expect(options.contains("-c statement_timeout=30000"))
        #expect(options.contains("-c TimeZone=UTC"))
    }

    @Test("error codes have label-safe names and classify SQLSTATEs")
    func errorClassification() {
        #expect(PostgresError.server(sqlState: "40001", message: "m").code == .serializationFailure)
        #expect(PostgresError.server(sqlState: "40P01", message: "m").code == .serializationFailure)
        #expect(PostgresError.server(sqlState: "57014", message: "m").code == .timeout)
        #expect(PostgresError.server(sqlState: "08006", message: "m").code == .connectionFailed)
        #expect(PostgresError.server(sqlState: "57P01", message: "m").code == .connectionFailed)
        let unique = PostgresError.server(sqlState: "23505", message: "duplicate key")
        #expect(unique.code == .queryFailed && unique.isUniqueViolation && !unique.isRetryable)
        #expect(unique.name == "query_failed")
        #expect(unique.description == "PostgreSQL query_failed (SQLSTATE 23505): duplicate key")
    }
}
