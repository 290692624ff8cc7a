import Synchronization

/// Pauses consumption while any operation is waiting for a dependency to come back.
///
/// Each retry loop calls ``enter()`` on its first transient failure and ``leave()`` when it
/// finally succeeds (or stops). The first enter pauses the consumer; the last leave resumes it.
final class DependencyGate: Sendable {
    private let waiting = Mutex(0)
    private let onChange: @Sendable (_ paused: Bool) -> Void

    /// `onChange(true)` runs when the first operation starts waiting, `onChange(false)` when the
    /// last one stops; never under the lock's protection of another call's change.
    init(onChange: @escaping @Sendable (_ paused: Bool) -> Void) {
        self.onChange = onChange
    }

    /// True while at least one operation waits for a dependency.
    var isPaused: Bool { waiting.withLock { $0 > 0 } }

    func enter() {
        let first = waiting.withLock { count in
            count += 1
            return count == 1
        }
        if first { onChange(true) }
    }

    func leave() {
        let last = waiting.withLock { count in
            count = max(0, count - 1)
            return count == 0
        }
        if last { onChange(false) }
    }
}
