import PlatformStore

/// Who calls the batch API, as the gateway's authentication established it.
public struct BatchCaller: Sendable, Hashable {
    /// The principal's id: it owns the jobs it submits (`key:{principal}` or `jwt:{sub}` at the
    /// gateway, so an API key principal and a token subject of the same name stay apart).
    public var owner: String
    /// True for an administrator, who sees and cancels every job.
    public var seesAllJobs: Bool

    /// Creates a caller.
    public init(owner: String, seesAllJobs: Bool) {
        self.owner = owner
        self.seesAllJobs = seesAllJobs
    }

    /// The jobs this caller may read and cancel.
    public var access: BatchJobAccess { seesAllJobs ? .all : .owner(owner) }
}
