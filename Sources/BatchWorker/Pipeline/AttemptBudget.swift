/// The transient failures one step of one item (its inference, its output write, its row) may
/// run into before the worker asks who is at fault: the item, or the dependency behind the step.
///
/// A pure value, one per retry loop. Under the budget a failure is retried. At the budget the
/// owner checks the dependency (see ``BatchWorker``): when the dependency is down the failures
/// were not the item's, so the count starts over and the item waits, however long the outage
/// lasts; when the dependency is up the item is at fault and is failed for good.
///
/// A failure to reach the dependency at all (connection refused, a database still starting)
/// is never the item's: it does not count against the budget, whatever a health check says a
/// moment later. Such failures are counted apart, and at the budget they report the dependency
/// down without asking.
struct AttemptBudget: Sendable, Hashable {
    /// What to do after a transient failure.
    enum Decision: Sendable, Hashable {
        /// Under the budget: wait and try again.
        case retry
        /// The budget is spent: check the dependency, then ``dependencyDown()`` or give up.
        case checkDependency
        /// As many failures to reach the dependency as the budget: it is down (the count of
        /// unreachable failures starts over).
        case unreachable
    }

    /// Transient failures allowed per step; at least 1.
    let maxAttempts: Int
    /// Failures counted since the start or since the dependency was last found down.
    private(set) var failures = 0
    /// Failures to reach the dependency since the last ``Decision/unreachable``.
    private(set) var unreachableFailures = 0
    /// Failures over the whole loop, outages included (for logs and reasons).
    private(set) var totalFailures = 0

    init(maxAttempts: Int) {
        self.maxAttempts = max(1, maxAttempts)
    }

    /// Counts one transient failure and says what to do next; `reachable` is false when the
    /// dependency could not be reached at all.
    mutating func failed(reachable: Bool = true) -> Decision {
        totalFailures += 1
        guard reachable else {
            unreachableFailures += 1
            guard unreachableFailures >= maxAttempts else { return .retry }
            unreachableFailures = 0
            return .unreachable
        }
        failures += 1
        return failures >= maxAttempts ? .checkDependency : .retry
    }

    /// The dependency was found down: the failures so far were its, not the item's.
    mutating func dependencyDown() {
        failures = 0
    }
}
