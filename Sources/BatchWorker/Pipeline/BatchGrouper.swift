/// Two stages of assembly: items into Triton batches (a ``BatchAssembler`` by model and tensor
/// layout), then finished batches into groups that are written together (one shard per job, one
/// transaction for their rows), up to `groupCapacity` items or `groupLinger` (at least `linger`)
/// after the group opened. A pure value over an injected time: the owner supplies `now`.
struct BatchGrouper<Key: Hashable & Sendable, Item: Sendable, Instant: InstantProtocol>: Sendable
where Instant.Duration == Duration {
    private var batches: BatchAssembler<Key, Item, Instant>
    private var groups: BatchAssembler<Int, [Item], Instant>
    let groupCapacity: Int

    init(linger: Duration, groupLinger: Duration, groupCapacity: Int) {
        batches = BatchAssembler(linger: linger)
        groups = BatchAssembler(linger: max(groupLinger, linger))
        self.groupCapacity = max(1, groupCapacity)
    }

    /// Adds an item to the batch for `key` (see ``BatchAssembler/add(_:key:rows:capacity:now:)``)
    /// and returns the groups that are now complete.
    mutating func add(_ item: Item, key: Key, rows: Int, capacity: Int, now: Instant) -> [[[Item]]] {
        group(batches.add(item, key: key, rows: rows, capacity: capacity, now: now), now: now)
    }

    /// Adds an item that cannot share a Triton call, as a batch of its own.
    mutating func addAlone(_ item: Item, now: Instant) -> [[[Item]]] {
        group([[item]], now: now)
    }

    /// Closes the batches and hands out the groups whose linger time has passed at `now`.
    mutating func expired(now: Instant) -> [[[Item]]] {
        let ready = group(batches.expired(now: now), now: now)
        return ready + groups.expired(now: now)
    }

    /// Hands out everything, every open batch in a group (at shutdown).
    mutating func drain(now: Instant) -> [[[Item]]] {
        let ready = group(batches.drain(), now: now)
        return ready + groups.drain()
    }

    /// When the first open batch or group's linger time passes, or `nil` when nothing is open.
    var nextDeadline: Instant? {
        switch (batches.nextDeadline, groups.nextDeadline) {
        case (let batch?, let group?): min(batch, group)
        case (let batch, let group): batch ?? group
        }
    }

    /// True when no batch or group is open.
    var isEmpty: Bool { batches.isEmpty && groups.isEmpty }

    private mutating func group(_ ready: [[Item]], now: Instant) -> [[[Item]]] {
        ready.flatMap { groups.add($0, key: 0, rows: $0.count, capacity: groupCapacity, now: now) }
    }
}
