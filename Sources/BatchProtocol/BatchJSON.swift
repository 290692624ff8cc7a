import Foundation

/// The JSON settings every record shares: ISO 8601 dates, sorted keys, unescaped slashes.
public enum BatchJSON {
    /// An encoder with these settings.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
