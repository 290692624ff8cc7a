import Testing

@testable import BatchWorker

@Suite("Grouping batches to be written together")
struct BatchGrouperTests {
    typealias Grouper = BatchGrouper<String, Int, ContinuousClock.Instant>
    let start = ContinuousClock.now

    @Test("full batches join one group, handed out when it reaches its capacity")
    func fullGroups() {
        var grouper = Grouper(linger: .milliseconds(5), groupLinger: .milliseconds(10), groupCapacity: 16)
        for item in 0..<15 {
            #expect(grouper.add(item, key: "m", rows: 1, capacity: 8, now: start).isEmpty)
        }
        let ready = grouper.add(15, key: "m", rows: 1, capacity: 8, now: start)
        #expect(ready == [[Array(0..<8), Array(8..<16)]])
        #expect(grouper.isEmpty)
    }

    @Test("a partial batch closes after the batch linger, its group after the group linger")
    func lingers() {
        var grouper = Grouper(linger: .milliseconds(5), groupLinger: .milliseconds(10), groupCapacity: 16)
        _ = grouper.add(0, key: "a", rows: 1, capacity: 8, now: start)
        #expect(grouper.nextDeadline == start + .milliseconds(5))
        #expect(grouper.expired(now: start + .milliseconds(5)).isEmpty, "the batch joins a group that now waits")
        #expect(grouper.nextDeadline == start + .milliseconds(15))
        _ = grouper.addAlone(1, now: start + .milliseconds(6))
        #expect(grouper.expired(now: start + .milliseconds(14)).isEmpty)
        #expect(grouper.expired(now: start + .milliseconds(15)) == [[[0], [1]]])
        #expect(grouper.nextDeadline == nil && grouper.isEmpty)
    }

    @Test("a batch that does not fit the group's room closes the group first; drain hands out all")
    func overflowAndDrain() {
        var grouper = Grouper(linger: .milliseconds(5), groupLinger: .milliseconds(10), groupCapacity: 4)
        for item in 0..<3 { #expect(grouper.add(item, key: "a", rows: 1, capacity: 3, now: start).isEmpty) }
        #expect(grouper.add(3, key: "b", rows: 1, capacity: 3, now: start).isEmpty, "b stays an open batch")
        #expect(grouper.addAlone(4, now: start) == [[[0, 1, 2], [4]]], "3 + 1 fills the group")
        _ = grouper.addAlone(5, now: start)
        _ = grouper.addAlone(6, now: start)
        _ = grouper.add(7, key: "c", rows: 1, capacity: 3, now: start)
        _ = grouper.add(8, key: "c", rows: 1, capacity: 3, now: start)
        #expect(grouper.add(9, key: "c", rows: 1, capacity: 3, now: start) == [[[5], [6]]], "2 + 3 does not fit")
        #expect(grouper.drain(now: start) == [[[7, 8, 9], [3]]])
        #expect(grouper.isEmpty)
    }
}
