import Testing

/// Checks `condition` every `interval` until it returns a value, and returns it; records an
/// issue naming `what` and throws ``BatchTestTimeout`` when `limit` passes first.
///
/// The only way these tests wait: for a condition, under a deadline, never for a fixed time.
@discardableResult
func poll<Value>(
    _ what: @autoclosure () -> String, within limit: Duration, every interval: Duration = .milliseconds(100),
    _ condition: () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await condition() { return value }
        guard ContinuousClock.now < deadline else { break }
        try await Task.sleep(for: interval)
    }
    Issue.record("\(what()) not seen within \(limit)")
    throw BatchTestTimeout(what: what())
}
