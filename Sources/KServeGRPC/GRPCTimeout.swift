/// The `grpc-timeout` request header: at most 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`).
enum GRPCTimeout {
    /// The longest deadline honoured, as for HTTP (`x-request-timeout-ms`): 10 minutes.
    static let maximum: Duration = .seconds(600)

    /// The duration `value` names, capped at ``maximum``; nil when absent or malformed (the
    /// transport then applies no deadline, and neither does the upstream call).
    static func duration(_ value: String?) -> Duration? {
        guard let value, let unit = value.last, value.count >= 2, value.count <= 9,
            let amount = Int64(value.dropLast()), amount >= 0
        else { return nil }
        let duration: Duration
        switch unit {
        case "H": duration = .seconds(min(amount, 1_000) * 3600)
        case "M": duration = .seconds(min(amount, 100_000) * 60)
        case "S": duration = .seconds(amount)
        case "m": duration = .milliseconds(amount)
        case "u": duration = .microseconds(amount)
        case "n": duration = .nanoseconds(amount)
        default: return nil
        }
        return min(duration, maximum)
    }
}
