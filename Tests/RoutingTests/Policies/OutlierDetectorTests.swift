import Routing
import Testing

@Suite struct OutlierDetectorTests {
    let time = TestTime()

    func backends(_ count: Int) -> [BackendID] {
        (0..<count).map { BackendID("triton-\($0)") }
    }

    /// Fails `backend` `times` times at `now`; returns the ejections that caused.
    func fail(
        _ detector: inout OutlierDetector, _ backend: BackendID, times: Int, at now: ContinuousClock.Instant
    ) -> [OutlierDetector.Ejection] {
        (0..<times).compactMap { _ in detector.record(backend: backend, outcome: .failure, now: now) }
    }

    @Test func ejectsAfterConsecutiveFailures() {
        let pool = backends(3)
        var detector = OutlierDetector(configuration: .init(consecutiveFailures: 5), backends: pool)
        #expect(fail(&detector, pool[0], times: 4, at: time.at(0)).isEmpty)
        #expect(!detector.isEjected(pool[0], now: time.at(0)))
        let ejection = detector.record(backend: pool[0], outcome: .failure, now: time.at(0))
        #expect(ejection?.backend == pool[0])
        #expect(ejection?.duration == .seconds(30))
        #expect(detector.isEjected(pool[0], now: time.at(29)))
        #expect(detector.ejectedBackends(now: time.at(29)) == [pool[0]])
        // The ejection ends by itself.
        #expect(!detector.isEjected(pool[0], now: time.at(30)))
        #expect(detector.ejectedBackends(now: time.at(30)).isEmpty)
    }

    @Test(arguments: [(1, 0), (2, 1), (3, 1), (10, 5)])
    func neverEjectsEveryBackendAtDefaultPercent(count: Int, expectedLimit: Int) {
        let pool = backends(count)
        var detector = OutlierDetector(backends: pool)
        for backend in pool {
            _ = fail(&detector, backend, times: 50, at: time.at(0))
        }
        #expect(detector.ejectedBackends(now: time.at(0)).count == expectedLimit)
        #expect(detector.ejectedBackends(now: time.at(0)).count < count)
    }

    @Test(arguments: [(1, 0), (2, 1), (3, 2), (10, 9)])
    func neverEjectsEveryBackendEvenAtHundredPercent(count: Int, expectedLimit: Int) {
        let pool = backends(count)
        var detector = OutlierDetector(configuration: .init(maxEjectionPercent: 100), backends: pool)
        // Keep failing everything for ten minutes, as ejections expire and are retried.
        for second in 0..<600 {
            for backend in pool {
                _ = fail(&detector, backend, times: 5, at: time.at(second))
            }
            #expect(detector.ejectedBackends(now: time.at(second)).count <= expectedLimit)
        }
        #expect(detector.ejectedBackends(now: time.at(599)).count == expectedLimit)
    }

    @Test func refusedEjectionsAreCounted() {
        let pool = backends(2)
        var detector = OutlierDetector(configuration: .init(consecutiveFailures: 1), backends: pool)
        #expect(detector.record(backend: pool[0], outcome: .failure, now: time.at(0)) != nil)
        #expect(detector.record(backend: pool[1], outcome: .failure, now: time.at(0)) == nil)
        #expect(detector.suppressedEjections == 1)
        // Once the first ejection ends, the second backend may go.
        #expect(detector.record(backend: pool[1], outcome: .failure, now: time.at(30)) != nil)
    }

    @Test func ejectionTimeGrowsWithEachEjectionUpToTheMax() {
        let pool = backends(3)
        let configuration = OutlierDetectorConfiguration(
            consecutiveFailures: 1, baseEjection: .seconds(30), maxEjection: .seconds(100),
            ejectionCountDecay: .seconds(600))
        var detector = OutlierDetector(configuration: configuration, backends: pool)
        var now = 0
        for expected in [30, 60, 90, 100, 100] {
            let ejection = detector.record(backend: pool[0], outcome: .failure, now: time.at(now))
            #expect(ejection?.duration == .seconds(expected))
            now += expected
        }
    }

    @Test func ejectionCountDecaysWhileTheBackendBehaves() {
        let pool = backends(3)
        let configuration = OutlierDetectorConfiguration(
            consecutiveFailures: 1, baseEjection: .seconds(10), ejectionCountDecay: .seconds(60))
        var detector = OutlierDetector(configuration: configuration, backends: pool)
        _ = detector.record(backend: pool[0], outcome: .failure, now: time.at(0))
        _ = detector.record(backend: pool[0], outcome: .failure, now: time.at(10))
        // Second ejection ended at 30 s; two decay intervals later its count is back to 0.
        let ejection = detector.record(backend: pool[0], outcome: .failure, now: time.at(150))
        #expect(ejection?.ejectionCount == 1)
        #expect(ejection?.duration == .seconds(10))
    }

    @Test func successBreaksTheRunAndIgnoredChangesNothing() {
        let pool = backends(3)
        var detector = OutlierDetector(configuration: .init(consecutiveFailures: 3), backends: pool)
        for _ in 0..<100 {
            _ = fail(&detector, pool[0], times: 2, at: time.at(0))
            _ = detector.record(backend: pool[0], outcome: .success, now: time.at(0))
        }
        // Overload answers (429) and client errors are ignored: they neither eject nor reset.
        for _ in 0..<100 {
            #expect(detector.record(backend: pool[1], outcome: .ignored, now: time.at(0)) == nil)
        }
        _ = fail(&detector, pool[1], times: 2, at: time.at(0))
        _ = detector.record(backend: pool[1], outcome: .ignored, now: time.at(0))
        #expect(detector.ejectedBackends(now: time.at(0)).isEmpty)
        #expect(detector.record(backend: pool[1], outcome: .failure, now: time.at(0)) != nil)
    }

    @Test func poolChangesKeepHistoryAndDropUnknownBackends() {
        var detector = OutlierDetector(configuration: .init(consecutiveFailures: 2), backends: backends(3))
        _ = detector.record(backend: "triton-0", outcome: .failure, now: time.at(0))
        detector.updateBackends(backends(4))
        #expect(detector.record(backend: "triton-0", outcome: .failure, now: time.at(0)) != nil)
        #expect(detector.record(backend: "elsewhere", outcome: .failure, now: time.at(0)) == nil)
        #expect(detector.record(backend: "elsewhere", outcome: .failure, now: time.at(0)) == nil)
        detector.updateBackends(backends(2).dropFirst())
        #expect(detector.backends == ["triton-1"])
        #expect(!detector.isEjected("triton-0", now: time.at(0)))
    }
}
