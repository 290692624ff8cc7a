/// Instants relative to a fixed base, so tests can say "3 seconds in" without a real clock.
struct TestTime {
    let base = ContinuousClock.now

    /// The instant `seconds` after the base.
    func at(_ seconds: Int) -> ContinuousClock.Instant {
        base.advanced(by: .seconds(seconds))
    }

    /// The instant `milliseconds` after the base.
    func at(ms milliseconds: Int) -> ContinuousClock.Instant {
        base.advanced(by: .milliseconds(milliseconds))
    }
}
