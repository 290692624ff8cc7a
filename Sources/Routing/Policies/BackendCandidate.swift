/// One backend that may serve a request, as seen by a balancer.
public struct BackendCandidate: Sendable, Hashable {
    /// The backend's identity.
    public var id: BackendID
    /// Relative share of traffic; `0` drains the backend (no balancer picks it).
    public var weight: Int
    /// Requests currently in flight to this backend from this router.
    public var outstanding: Int

    /// Creates a candidate; `weight` defaults to 1 and `outstanding` to 0.
    public init(id: BackendID, weight: Int = 1, outstanding: Int = 0) {
        self.id = id
        self.weight = weight
        self.outstanding = outstanding
    }
}
