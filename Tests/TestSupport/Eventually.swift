// Waiting for a state change in a test: poll a condition until it holds, with a deadline,
// instead of sleeping a fixed time and hoping the machine was fast enough.
//
// The deadline only costs time when the test is failing anyway, so make it generous (seconds,
// far above a loaded machine's scheduling noise). The condition runs in the caller's isolation,
// so it may capture non-`Sendable` state.
//
// ```swift
// try await eventually("the consumer is assigned a partition") { !consumer.assignment.isEmpty }
// let row = try await eventuallyValue("the job row exists") { try await store.job(id) }
// ```

/// Returns once `condition` is true; throws ``EventuallyTimedOut`` naming `what` when it is still
/// false after `timeout`. An error thrown by `condition` ends the wait at once.
public func eventually(
    _ what: String,
    within timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(20),
    isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async throws {
    _ = try await eventuallyValue(what, within: timeout, every: interval) { try await condition() ? true : nil }
}

/// Returns the first non-nil value of `probe`; throws ``EventuallyTimedOut`` naming `what` when
/// `probe` still gives nil after `timeout`. An error thrown by `probe` ends the wait at once.
@discardableResult
public func eventuallyValue<Value>(
    _ what: String,
    within timeout: Duration = .seconds(30),
    every interval: Duration = .milliseconds(20),
    isolation: isolated (any Actor)? = #isolation,
    _ probe: () async throws -> Value?
) async throws -> Value {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
        if let value = try await probe() { return value }
        guard clock.now < deadline else { throw EventuallyTimedOut(what: what, timeout: timeout) }
        try await clock.sleep(for: interval)
    }
}

/// Thrown by ``eventually(_:within:every:isolation:_:)`` when the condition never held.
public struct EventuallyTimedOut: Error, CustomStringConvertible {
    /// What the test waited for.
    public let what: String
    /// How long it waited.
    public let timeout: Duration

    public var description: String { "\(what): still not the case after \(timeout)" }
}
