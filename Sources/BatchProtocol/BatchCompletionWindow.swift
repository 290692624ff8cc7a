/// How long a job may take: a whole number of seconds, minutes or hours (`90s`, `30m`, `24h`),
/// from 1 second to 7 days. Items not finished when it ends fail as `expired`.
public enum BatchCompletionWindow {
    /// The longest window accepted.
    public static let maximum: Duration = .seconds(7 * 24 * 3600)

    /// Reads a window such as `24h`; the error names the accepted form.
    public static func parse(_ text: String) throws(BatchWorkerError) -> Duration {
        let problem = BatchWorkerError.invalidSubmission(
            "completion_window must be a whole number of seconds, minutes or hours (e.g. 90s, 30m, 24h), "
                + "at most 168h")
        guard let unit = text.last, text.count >= 2, text.count <= 10,
            let amount = Int64(text.dropLast()), amount > 0
        else { throw problem }
        let seconds: Int64
        switch unit {
        case "s": seconds = amount
        case "m": seconds = amount * 60
        case "h": seconds = amount * 3600
        default: throw problem
        }
        guard seconds <= maximum.components.seconds else { throw problem }
        return .seconds(seconds)
    }
}
