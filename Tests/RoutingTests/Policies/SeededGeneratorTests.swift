import Resilience
import Routing
import Testing

@Suite struct SeededGeneratorTests {
    @Test func sameSeedGivesSameSequence() {
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        let a = (0..<100).map { _ in first.next() }
        let b = (0..<100).map { _ in second.next() }
        #expect(a == b)
    }

    @Test func differentSeedsGiveDifferentSequences() {
        var first = SeededGenerator(seed: 1)
        var second = SeededGenerator(seed: 2)
        let a = (0..<10).map { _ in first.next() }
        let b = (0..<10).map { _ in second.next() }
        #expect(a != b)
        #expect(Set(a).count == 10)
    }

    @Test func zeroSeedStillProducesVariedOutput() {
        var generator = SeededGenerator(seed: 0)
        let values = (0..<1000).map { _ in generator.next() }
        #expect(Set(values).count == 1000)
    }

    @Test func drawsAreRoughlyUniform() {
        var generator = SeededGenerator(seed: 7)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            counts[Int.random(in: 0..<10, using: &generator)] += 1
        }
        for count in counts {
            #expect((9_500...10_500).contains(count))
        }
    }
}
