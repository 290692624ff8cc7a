import Testing

@testable import BatchWorker

@Suite("Batch assembly: capacity, linger and keys")
struct BatchAssemblerTests {
    typealias Assembler = BatchAssembler<String, Int, ContinuousClock.Instant>
    let start = ContinuousClock.now

    @Test("a batch is handed out as soon as it is full")
    func fullBatch() {
        var assembler = Assembler(linger: .milliseconds(5))
        for item in 0..<7 {
            #expect(assembler.add(item, key: "m", rows: 1, capacity: 8, now: start).isEmpty)
        }
        #expect(assembler.add(7, key: "m", rows: 1, capacity: 8, now: start) == [[0, 1, 2, 3, 4, 5, 6, 7]])
        #expect(assembler.isEmpty)
    }

    @Test("an item that does not fit closes the open batch first")
    func overflow() {
        var assembler = Assembler(linger: .milliseconds(5))
        _ = assembler.add(0, key: "m", rows: 3, capacity: 4, now: start)
        #expect(assembler.add(1, key: "m", rows: 2, capacity: 4, now: start) == [[0]])
        #expect(assembler.drain() == [[1]])
    }

    @Test("partial batches leave after the linger time, keys never mix")
    func lingerAndKeys() {
        var assembler = Assembler(linger: .milliseconds(5))
        _ = assembler.add(0, key: "a", rows: 1, capacity: 8, now: start)
        _ = assembler.add(1, key: "b", rows: 1, capacity: 8, now: start + .milliseconds(3))
        _ = assembler.add(2, key: "a", rows: 1, capacity: 8, now: start + .milliseconds(4))
        #expect(assembler.expired(now: start + .milliseconds(4)).isEmpty)
        #expect(assembler.expired(now: start + .milliseconds(5)) == [[0, 2]])
        #expect(assembler.expired(now: start + .milliseconds(8)) == [[1]])
        #expect(assembler.isEmpty)
    }

    @Test("the next deadline is the first open batch's, and none when nothing is open")
    func nextDeadline() {
        var assembler = Assembler(linger: .milliseconds(5))
        #expect(assembler.nextDeadline == nil)
        _ = assembler.add(0, key: "a", rows: 1, capacity: 8, now: start)
        _ = assembler.add(1, key: "b", rows: 1, capacity: 8, now: start + .milliseconds(3))
        #expect(assembler.nextDeadline == start + .milliseconds(5))
        _ = assembler.expired(now: start + .milliseconds(5))
        #expect(assembler.nextDeadline == start + .milliseconds(8))
        _ = assembler.expired(now: start + .milliseconds(8))
        #expect(assembler.nextDeadline == nil)
    }

    @Test("a model that does not batch gets one item per batch")
    func noBatching() {
        var assembler = Assembler(linger: .milliseconds(5))
        #expect(assembler.add(0, key: "m", rows: 1, capacity: 0, now: start) == [[0]])
        #expect(assembler.add(1, key: "m", rows: 1, capacity: 1, now: start) == [[1]])
    }
}
