import Foundation

/// Media-type helpers shared by the upload readers and the gateway's content policy.
public enum MediaType {
    /// The media type without parameters, lower-cased (`Application/JSON; charset=utf-8` → `application/json`).
    public static func essence(of value: String) -> String {
        (value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? value)
            .trimmingCharacters(in: .whitespaces).lowercased()
    }
}
