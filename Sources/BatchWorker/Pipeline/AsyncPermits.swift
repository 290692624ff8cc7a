import Synchronization

/// A counting semaphore for tasks: ``acquire()`` waits while no permit is free.
///
/// Bounds how many items the worker holds between reading and committing.
final class AsyncPermits: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
        /// Waiters cancelled before they were registered.
        var cancelledEarly: Set<Int> = []
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Takes a permit, waiting for one; throws `CancellationError` when the task is cancelled.
    func acquire() async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted = state.withLock { state -> Bool? in
                    if state.cancelledEarly.remove(id) != nil { return nil }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return false
                }
                switch granted {
                case true?: continuation.resume()
                case nil: continuation.resume(throwing: CancellationError())
                case false?: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                    // Not registered yet (or already granted): the body sees this and gives up.
                    state.cancelledEarly.insert(id)
                    return nil
                }
                return state.waiters.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Returns `count` permits, waking waiters.
    func release(_ count: Int = 1) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.available += count
            let take = min(state.available, state.waiters.count)
            state.available -= take
            defer { state.waiters.removeFirst(take) }
            return state.waiters.prefix(take).map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }
}
