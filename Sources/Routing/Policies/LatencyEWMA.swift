import Foundation
import Resilience

/// A backend's recent latency: an exponentially time-decayed average, for the admin view.
///
/// Each sample weighs `0.5^(age / halfLife)`, so a sample one half-life old counts half as
/// much as a new one, however many samples arrive in between. Pure state; time is passed in.
public struct LatencyEWMA: Sendable {
    /// The age at which a sample's weight has halved. Default 10 s.
    public let halfLife: Duration
    /// Every sample ever recorded.
    public private(set) var sampleCount = 0
    /// When the last sample was recorded, if ever.
    public private(set) var lastSample: ContinuousClock.Instant?
    private var weightedSeconds = 0.0
    private var totalWeight = 0.0

    /// Creates a tracker with no samples.
    public init(halfLife: Duration = .seconds(10)) {
        self.halfLife = halfLife
    }

    /// Adds one call's latency measured at `now`.
    public mutating func record(_ latency: Duration, now: ContinuousClock.Instant) {
        let factor = decay(to: now)
        weightedSeconds = weightedSeconds * factor + max(latency, .zero).secondsValue
        totalWeight = totalWeight * factor + 1
        sampleCount += 1
        if lastSample.map({ now > $0 }) ?? true { lastSample = now }
    }

    /// The decayed average latency, or `nil` before the first sample.
    public var average: Duration? {
        guard totalWeight > 0 else { return nil }
        return .seconds(weightedSeconds / totalWeight)
    }

    /// Samples per second recently, decayed with the same half-life, as seen at `now`.
    public func rate(now: ContinuousClock.Instant) -> Double {
        let seconds = halfLife.secondsValue
        guard seconds > 0 else { return 0 }
        return totalWeight * decay(to: now) * log(2) / seconds
    }

    private func decay(to now: ContinuousClock.Instant) -> Double {
        guard let lastSample, now > lastSample else { return 1 }
        let seconds = halfLife.secondsValue
        guard seconds > 0 else { return 0 }
        return pow(0.5, (now - lastSample).secondsValue / seconds)
    }
}
