/// A map with a hard size cap and constant-time operations, evicting roughly the least
/// recently used entries, free of I/O and clocks (callers store their own timestamps in values).
///
/// Two generations: lookups and inserts go to the current one; when it reaches half the
/// capacity it becomes the previous one and the old previous one is dropped whole. An entry
/// read from the previous generation moves back to the current one, so anything used within
/// the last `capacity / 2` insertions survives. At most `capacity` entries are ever held,
/// however many distinct keys arrive.
struct BoundedCache<Key: Hashable, Value> {
    /// The most entries held at once (at least 2).
    let capacity: Int
    private var current: [Key: Value] = [:]
    private var previous: [Key: Value] = [:]

    /// An empty cache holding at most `capacity` entries.
    init(capacity: Int) {
        self.capacity = max(2, capacity)
    }

    /// Entries held now (never above ``capacity``).
    var count: Int { current.count + previous.count }

    /// The value for `key`, marking it recently used.
    mutating func value(for key: Key) -> Value? {
        if let value = current[key] { return value }
        guard let value = previous.removeValue(forKey: key) else { return nil }
        insert(value, for: key)
        return value
    }

    /// Stores `value` for `key`, replacing any older value.
    mutating func insert(_ value: Value, for key: Key) {
        previous.removeValue(forKey: key)
        if current[key] == nil, current.count >= capacity / 2 {
            previous = current
            current = [:]
            current.reserveCapacity(capacity / 2)
        }
        current[key] = value
    }

    /// Forgets `key`.
    mutating func removeValue(for key: Key) {
        current.removeValue(forKey: key)
        previous.removeValue(forKey: key)
    }
}
