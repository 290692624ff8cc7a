import CivilCalendar
import Foundation
import Logging

/// A `LogHandler` writing one JSON object per line: time, level, label, message and metadata.
///
/// Lines go to standard error through ``BatchedLogWriter`` (whole lines, in order, written in
/// batches); an error line is written before `log` returns.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: @Sendable (String) -> Void

    /// Creates a handler for `label`; `sink` receives each finished line (standard error by default).
    public init(
        label: String,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        sink: @escaping @Sendable (String) -> Void = JSONLogHandler.batchedStandardError
    ) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "{\"ts\":\""
        line.reserveCapacity(256)
        Self.appendTimestamp(to: &line)
        line += "\",\"level\":\"" + event.level.rawValue + "\",\"logger\":"
        Self.appendQuoted(label, to: &line)
        line += ",\"msg\":"
        Self.appendQuoted(event.message.description, to: &line)
        for key in merged.keys.sorted() {
            line += ","
            Self.appendQuoted(key, to: &line)
            line += ":"
            Self.appendJSON(merged[key]!, to: &line)
        }
        if event.level >= .error {
            line += ",\"source\":"
            Self.appendQuoted("\(event.file):\(event.line)", to: &line)
        }
        line += "}\n"
        sink(line)
        if event.level >= .error { BatchedLogWriter.standardError.flush() }
    }

    /// The default sink: standard error, in batches (``BatchedLogWriter/standardError``).
    public static let batchedStandardError: @Sendable (String) -> Void = { line in
        BatchedLogWriter.standardError.append(line)
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        var out = ""
        appendJSON(value, to: &out)
        return out
    }

    static func appendJSON(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let string): appendQuoted(string, to: &out)
        case .stringConvertible(let convertible): appendQuoted(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendJSON(element, to: &out)
            }
            out += "]"
        case .dictionary(let dictionary):
            out += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendQuoted(key, to: &out)
                out += ":"
                appendJSON(dictionary[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    static func quoted(_ string: String) -> String {
        var out = ""
        appendQuoted(string, to: &out)
        return out
    }

    /// Appends `string` as a JSON string literal; text that needs no escape is appended whole.
    static func appendQuoted(_ string: String, to out: inout String) {
        out += "\""
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += string
        } else {
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    out += "\\u00"
                    out.append(hexDigits[Int(scalar.value >> 4)])
                    out.append(hexDigits[Int(scalar.value & 0xF)])
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static let hexDigits: [Character] = Array("0123456789abcdef")

    /// The current UTC time as `YYYY-MM-DDTHH:MM:SS.mmm`, by integer arithmetic (a date formatter
    /// per line was a measurable part of the gateway's cost per request).
    static func appendTimestamp(to out: inout String, now: timespec = currentTime()) {
        let (days, secondOfDay) = CivilCalendar.floorDivide(Int64(now.tv_sec), 86_400)
        let date = CivilCalendar.date(daysSinceEpoch: days)
        appendPadded(date.year, width: 4, to: &out)
        out += "-"
        appendPadded(date.month, width: 2, to: &out)
        out += "-"
        appendPadded(date.day, width: 2, to: &out)
        out += "T"
        appendPadded(secondOfDay / 3600, width: 2, to: &out)
        out += ":"
        appendPadded(secondOfDay / 60 % 60, width: 2, to: &out)
        out += ":"
        appendPadded(secondOfDay % 60, width: 2, to: &out)
        out += "."
        appendPadded(Int64(now.tv_nsec) / 1_000_000, width: 3, to: &out)
    }

    private static func currentTime() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now
    }

    private static func appendPadded(_ value: Int64, width: Int, to out: inout String) {
        let digits = String(value)
        if digits.utf8.count < width { out += String(repeating: "0", count: width - digits.utf8.count) }
        out += digits
    }
}
