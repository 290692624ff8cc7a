/// How one upstream call ended, as far as backend health is concerned.
///
/// Only upstream faults are failures. The I/O layer classifies: a connect error, a timeout or a
/// 5xx from Triton is `.failure`; a client's 4xx, an overload/queue-full answer (429) and a call
/// cancelled by the client are `.ignored`, so they never trip a breaker or eject a backend.
public enum CallOutcome: Sendable, Hashable {
    /// The backend answered the call.
    case success
    /// The backend failed: connect error, timeout or 5xx.
    case failure
    /// Says nothing about the backend's health: client error, overload, client cancellation.
    case ignored
}
