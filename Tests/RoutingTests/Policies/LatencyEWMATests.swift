import Routing
import Testing

@Suite struct LatencyEWMATests {
    let time = TestTime()

    func milliseconds(_ duration: Duration?) -> Double? {
        duration.map { Double($0.components.seconds) * 1_000 + Double($0.components.attoseconds) / 1e15 }
    }

    @Test func noAverageBeforeTheFirstSample() {
        let tracker = LatencyEWMA()
        #expect(tracker.average == nil)
        #expect(tracker.rate(now: time.at(0)) == 0)
    }

    @Test func steadyLatencyIsReportedAsIs() {
        var tracker = LatencyEWMA()
        for step in 0..<100 { tracker.record(.milliseconds(40), now: time.at(ms: step * 10)) }
        #expect(abs(milliseconds(tracker.average)! - 40) < 0.001)
        #expect(tracker.sampleCount == 100)
    }

    @Test func aSampleOneHalfLifeOldCountsHalf() {
        var tracker = LatencyEWMA(halfLife: .seconds(10))
        tracker.record(.milliseconds(100), now: time.at(0))
        tracker.record(.milliseconds(300), now: time.at(10))
        // (100 × 0.5 + 300 × 1) / 1.5
        #expect(abs(milliseconds(tracker.average)! - 233.333) < 0.01)
    }

    @Test func followsALatencyShiftWithinAFewHalfLives() {
        var tracker = LatencyEWMA(halfLife: .seconds(5))
        for step in 0..<600 { tracker.record(.milliseconds(20), now: time.at(ms: step * 100)) }
        for step in 600..<1_000 { tracker.record(.milliseconds(200), now: time.at(ms: step * 100)) }
        // 40 s after the shift, 8 half-lives: old samples weigh 1/256.
        #expect(abs(milliseconds(tracker.average)! - 200) < 1)
    }

    @Test func rateTracksSamplesPerSecond() {
        var tracker = LatencyEWMA(halfLife: .seconds(10))
        for step in 0..<1_200 { tracker.record(.milliseconds(5), now: time.at(ms: step * 50)) }
        #expect(abs(tracker.rate(now: time.at(60)) - 20) < 1)
        // Idle for one half-life: the rate halves.
        #expect(abs(tracker.rate(now: time.at(70)) - 10) < 0.5)
    }
}
