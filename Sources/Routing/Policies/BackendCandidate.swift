/// One backend that may serve a request, as seen by a balancer.
public struct BackendCandidate: Sendable, Hashable {
    /// The backend's identity.
    public var id: BackendID
    /// Relative share of traffic; `0` drains the backend (no balancer picks it).
    public var weight: Int
    /// Requests currently in flight to this backend from this router.
    public var outstanding: Int
    /// Requests the backend reports pending for the model (``BalancingStrategy/leastQueue`` only;
    /// 0 when unknown).
    public var queued: Int
    /// The model's recent mean queue time on the backend (``BalancingStrategy/leastQueue`` only).
    public var queueTime: Duration

    /// Creates a candidate; `weight` defaults to 1, the loads to 0.
    public init(id: BackendID, weight: Int = 1, outstanding: Int = 0, queued: Int = 0, queueTime: Duration = .zero) {
        self.id = id
        self.weight = weight
        self.outstanding = outstanding
        self.queued = queued
        self.queueTime = queueTime
    }
}
