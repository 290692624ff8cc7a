import InferenceProtocol
import RateLimiting

/// Charges batch items to their owner, one rate-limit cell per item (GCRA with cost n), under
/// the batch-items policy: the batch routes call it before each chunk of a submission is
/// published, so a batch is paid for per item, not per request.
///
/// The bucket is `{prefix}:{batch:OWNER}`, apart from the owner's request bucket (one policy per
/// key). A chunk larger than the policy's burst could never be admitted: it is refused with 400
/// rather than a `Retry-After` that would never come true.
struct BatchItemAdmission: Sendable {
    let limiter: RateLimiter
    let policy: RateLimitPolicy

    /// Admits `items` items for `owner` or throws `rateLimited` (429 with `Retry-After`).
    func admit(owner: String, items: Int) async throws {
        guard items > 0 else { return }
        guard items <= policy.burst else {
            throw InferenceError.badRequest(
                "\(items) items at once exceed the batch allowance of \(policy.burst); submit smaller batches")
        }
        let decision = try await limiter.check(principal: "batch:" + owner, policy: policy, cost: items)
        guard decision.allowed else {
            throw InferenceError.rateLimited(
                message: "batch item allowance spent (\(policy.limit) items per \(policy.period)); retry later",
                retryAfter: max(decision.retryAfter, .seconds(1)))
        }
    }
}
