import CivilCalendar
import Foundation

/// Converts between `Date` and PostgreSQL's ISO text form of `timestamptz` / `timestamp`
/// (`2024-05-01 12:34:56.789012+00`), with microsecond precision.
///
/// Connections are opened with `DateStyle=ISO` and `TimeZone=UTC`, so this is the only form the
/// server sends; offsets other than `+00` are still honoured.
enum PostgresTimestamp {
    private static let microsPerSecond: Int64 = 1_000_000
    private static let microsPerDay: Int64 = 86_400 * microsPerSecond

    /// Formats `date` in UTC, e.g. `2024-05-01 12:34:56.789012+00`.
    static func format(_ date: Date) -> String {
        if date == .distantFuture { return "infinity" }
        if date == .distantPast { return "-infinity" }
        let micros = Int64((date.timeIntervalSince1970 * Double(microsPerSecond)).rounded())
        let (days, timeOfDay) = CivilCalendar.floorDivide(micros, microsPerDay)
        let (year, month, day) = CivilCalendar.date(daysSinceEpoch: days)
        let seconds = timeOfDay / microsPerSecond
        let fraction = timeOfDay % microsPerSecond
        let displayYear = year > 0 ? year : 1 - year
        var text = pad(displayYear, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += " " + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        text += "." + pad(fraction, 6) + "+00"
        return year > 0 ? text : text + " BC"
    }

    /// Parses the server's ISO output; `nil` when `text` is not in that form.
    static func parse(_ text: Substring) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        var scanner = ByteCursor(Array(text.utf8))
        guard let year = scanner.number(), scanner.skip("-"),
            let month = scanner.number(digits: 2), scanner.skip("-"),
            let day = scanner.number(digits: 2), scanner.skip(" ") || scanner.skip("T"),
            let hour = scanner.number(digits: 2), scanner.skip(":"),
            let minute = scanner.number(digits: 2), scanner.skip(":"),
            let second = scanner.number(digits: 2)
        else { return nil }
        var fraction: Int64 = 0
        if scanner.skip(".") {
            let start = scanner.position
            guard let digits = scanner.number() else { return nil }
            let count = scanner.position - start
            guard count <= 6 else { return nil }
            fraction = digits * power10(6 - count)
        }
        var offsetSeconds: Int64 = 0
        if let sign = scanner.sign() {
            guard let hours = scanner.number(digits: 2) else { return nil }
            var offset = hours * 3600
            if scanner.skip(":") {
                guard let minutes = scanner.number(digits: 2) else { return nil }
                offset += minutes * 60
                if scanner.skip(":") {
                    guard let seconds = scanner.number(digits: 2) else { return nil }
                    offset += seconds
                }
            }
            offsetSeconds = sign * offset
        }
        var astronomicalYear = year
        if scanner.skip(" BC") { astronomicalYear = 1 - year }
        guard scanner.isAtEnd, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        let days = CivilCalendar.daysSinceEpoch(year: astronomicalYear, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let micros = seconds * microsPerSecond + fraction
        return Date(timeIntervalSince1970: Double(micros) / Double(microsPerSecond))
    }

    private static func power10(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { result, _ in result * 10 }
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A cursor over ASCII bytes.
    private struct ByteCursor {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { position == bytes.count }

        /// Reads a run of decimal digits (exactly `digits` of them when given).
        mutating func number(digits: Int? = nil) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39, count < 18 {
                if let digits, count == digits { break }
                value = value * 10 + Int64(bytes[position] - 0x30)
                position += 1
                count += 1
            }
            if count == 0 { return nil }
            if let digits, count != digits { return nil }
            return value
        }

        mutating func skip(_ literal: String) -> Bool {
            let expected = Array(literal.utf8)
            guard bytes.count - position >= expected.count,
                Array(bytes[position..<position + expected.count]) == expected
            else { return false }
            position += expected.count
            return true
        }

        mutating func sign() -> Int64? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }
    }
}
