extension Duration {
    /// The duration in seconds as a floating-point number.
    public var secondsValue: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// The duration in (fractional) milliseconds.
    public var millisecondsValue: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }

    /// The duration in whole milliseconds, rounded down.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole nanoseconds, clamped at zero and at `Int64.max`.
    public var clampedNanoseconds: Int64 {
        let parts = components
        if parts.seconds < 0 { return 0 }
        if parts.seconds >= Int64.max / 1_000_000_000 - 1 { return Int64.max }
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// `self` scaled by a non-negative factor, computed in nanoseconds and saturating.
    public func scaled(by factor: Double) -> Duration {
        let nanos = Double(clampedNanoseconds) * Swift.max(factor, 0)
        if nanos >= Double(Int64.max) { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(nanos))
    }
}
