/// Groups items that can share one Triton call, up to a capacity, for at most a linger time.
///
/// Items with equal keys (same model, version and tensor layout) join one open batch; a batch is
/// handed out when it is full, when the next item would not fit, or when its linger time has
/// passed. A pure value over an injected time: the owner supplies `now`.
struct BatchAssembler<Key: Hashable & Sendable, Item: Sendable, Instant: InstantProtocol>: Sendable
where Instant.Duration == Duration {
    private struct Open: Sendable {
        var items: [Item]
        var rows: Int
        var capacity: Int
        var deadline: Instant
    }

    private var open: [Key: Open] = [:]
    let linger: Duration

    init(linger: Duration) {
        self.linger = linger
    }

    /// Adds an item of `rows` batch rows to the batch for `key` (at most `capacity` rows, at least
    /// one item per batch) and returns the batches that are now complete.
    mutating func add(_ item: Item, key: Key, rows: Int, capacity: Int, now: Instant) -> [[Item]] {
        var ready: [[Item]] = []
        let capacity = max(1, capacity)
        if let current = open[key], current.rows + rows > current.capacity {
            ready.append(current.items)
            open[key] = nil
        }
        var batch = open[key] ?? Open(items: [], rows: 0, capacity: capacity, deadline: now.advanced(by: linger))
        batch.items.append(item)
        batch.rows += rows
        if batch.rows >= batch.capacity {
            ready.append(batch.items)
            open[key] = nil
        } else {
            open[key] = batch
        }
        return ready
    }

    /// Hands out every batch whose linger time has passed at `now`.
    mutating func expired(now: Instant) -> [[Item]] {
        let keys = open.filter { $0.value.deadline <= now }.map(\.key)
        return keys.compactMap { open.removeValue(forKey: $0)?.items }
    }

    /// Hands out every open batch (at shutdown).
    mutating func drain() -> [[Item]] {
        defer { open.removeAll() }
        return open.values.map(\.items)
    }

    /// When the first open batch's linger time passes, or `nil` when no batch is open.
    var nextDeadline: Instant? { open.values.lazy.map { $0.deadline }.min() }

    /// True when no batch is open.
    var isEmpty: Bool { open.isEmpty }
}
