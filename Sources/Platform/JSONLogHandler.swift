import Foundation
import Logging

/// A `LogHandler` writing one JSON object per line: time, level, label, message and metadata.
///
/// Writes to standard error with a single `write` per line, so lines from threads never interleave.
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
        sink: @escaping @Sendable (String) -> Void = JSONLogHandler.writeToStandardError
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
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level.rawValue)\""
        line += ",\"logger\":" + Self.quoted(label) + ",\"msg\":" + Self.quoted(event.message.description)
        for key in merged.keys.sorted() {
            line += "," + Self.quoted(key) + ":" + Self.json(merged[key]!)
        }
        if event.level >= .error {
            line += ",\"source\":" + Self.quoted("\(event.file):\(event.line)")
        }
        line += "}\n"
        sink(line)
    }

    /// The default sink: one `write(2)` to standard error per line.
    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count)
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): return quoted(string)
        case .stringConvertible(let convertible): return quoted(convertible.description)
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            let fields = dictionary.keys.sorted().map { quoted($0) + ":" + json(dictionary[$0]!) }
            return "{" + fields.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    static func quoted(_ string: String) -> String {
        var out = "\""
        out.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }
}
