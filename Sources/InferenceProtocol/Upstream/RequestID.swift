import Foundation

/// The id every request carries through the platform (`x-request-id`): the client's when it is
/// sane, otherwise a new one. The gateway's HTTP and gRPC surfaces give it, forward it upstream,
/// echo it and log it.
public enum RequestID {
    /// The header and metadata name.
    public static let name = "x-request-id"

    /// `value` when it is 1–128 visible ASCII characters, else nil.
    public static func accepted(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        else { return nil }
        return value
    }

    /// The client's id when it is accepted, else a new lower-case UUID.
    public static func resolve(_ value: String?) -> String {
        accepted(value) ?? UUID().uuidString.lowercased()
    }
}

extension Duration {
    /// Milliseconds with three decimals (`12.345`, truncated to the microsecond, never negative),
    /// as access-log lines write durations.
    public var millisecondsText: String {
        let (seconds, attoseconds) = components
        let micros = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let fraction = String(micros % 1000)
        return String(micros / 1000) + "." + String(repeating: "0", count: 3 - fraction.utf8.count) + fraction
    }
}
