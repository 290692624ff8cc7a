/// Thresholds that turn single probe results into a stable health status.
public struct ActiveHealthConfiguration: Sendable, Hashable {
    /// Failed probes in a row that mark a healthy backend or model unhealthy. Default 3.
    public var unhealthyThreshold: Int
    /// Passing probes in a row that mark an unhealthy backend or model healthy again. Default 2.
    public var healthyThreshold: Int
    /// How often the owner should probe each backend. Default 5 s.
    public var interval: Duration
    /// How long one probe may take before it counts as failed. Default 1 s.
    public var timeout: Duration

    /// Creates a configuration; every parameter has the documented default.
    public init(
        unhealthyThreshold: Int = 3,
        healthyThreshold: Int = 2,
        interval: Duration = .seconds(5),
        timeout: Duration = .seconds(1)
    ) {
        self.unhealthyThreshold = unhealthyThreshold
        self.healthyThreshold = healthyThreshold
        self.interval = interval
        self.timeout = timeout
    }
}
