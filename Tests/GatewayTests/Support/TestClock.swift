import Synchronization

/// A clock tests move by hand: `now` starts at the real now and changes only with `advance`.
final class TestClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    /// The current instant.
    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    /// Moves the clock forward.
    func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }
}
