/// Makes free text from elsewhere (an error reason, a message quoting client input) fit for a
/// PostgreSQL `text` column.
///
/// PostgreSQL refuses a NUL anywhere in text (SQLSTATE 22021), so one stray byte in a quoted name
/// would make the whole statement fail. Identifiers and keys are validated where they enter;
/// this is for prose that merely describes something.
public enum PostgresText {
    /// What replaces a character that cannot or should not be stored.
    public static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// `text` with every NUL and other control character (C0 except tab and line feed, DEL, C1)
    /// replaced by U+FFFD, cut to at most `limit` Unicode scalars (the last one `…` when cut).
    public static func sanitized(_ text: String, limit: Int) -> String {
        let limit = max(1, limit)
        var scalars = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                scalars.removeLast()
                scalars.append("\u{2026}")
                break
            }
            scalars.append(isStorable(scalar) ? scalar : replacement)
            count += 1
        }
        return String(scalars)
    }

    /// Bytes that should be UTF-8 as text: invalid sequences become U+FFFD, then as
    /// ``sanitized(_:limit:)``.
    public static func sanitized(utf8 bytes: some Collection<UInt8>, limit: Int) -> String {
        sanitized(String(decoding: bytes, as: UTF8.self), limit: limit)
    }

    private static func isStorable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: true
        case 0x00...0x1F, 0x7F...0x9F: false
        default: true
        }
    }
}
