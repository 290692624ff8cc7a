extension CircuitBreakerStateMachine {
    /// Whether a call may go to the backend, and on what terms.
    public enum Permit: Sendable, Hashable {
        /// The breaker is closed: send the call.
        case allowed
        /// The breaker is half-open and this call is one of its probes: send it and record its end.
        case allowedAsProbe(ProbeTicket)
        /// Do not send; the backend may be tried again after `retryAfter`.
        case rejected(retryAfter: Duration)

        /// Whether the call may be sent.
        public var isAllowed: Bool {
            if case .rejected = self { return false }
            return true
        }

        /// Whether the call is a half-open probe.
        public var isProbe: Bool {
            if case .allowedAsProbe = self { return true }
            return false
        }
    }

    /// Identifies one half-open probe, so a stale or duplicate result cannot free another's slot.
    public struct ProbeTicket: Sendable, Hashable {
        let generation: UInt64
        let sequence: UInt64
    }

    /// A change of breaker state, returned so the owner can log it and update metrics.
    public struct Transition: Sendable, Hashable {
        /// Why the breaker changed state (also a metrics label).
        public enum Reason: String, Sendable, Hashable, CaseIterable {
            /// `consecutiveFailureThreshold` failures in a row.
            case consecutiveFailures = "consecutive_failures"
            /// The failure ratio over the window reached its threshold.
            case failureRatio = "failure_ratio"
            /// The open time ended; probing starts.
            case openTimeElapsed = "open_time_elapsed"
            /// A half-open probe failed.
            case probeFailed = "probe_failed"
            /// Enough half-open probes succeeded.
            case probesSucceeded = "probes_succeeded"
        }

        /// The state before the change.
        public let from: State
        /// The state after the change.
        public let to: State
        /// What caused the change.
        public let reason: Reason
        /// How long the breaker will stay open, when it just opened.
        public let openDuration: Duration?
    }
}
