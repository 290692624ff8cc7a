import Foundation
import InferenceProtocol

/// Whether a shadow call's answer agrees with the primary's: for classification outputs (BYTES
/// `score:index[:label]` entries) the top-1 class of every output, otherwise every output tensor
/// exactly (name, type, shape, data). Nil when either answer cannot be read.
enum ShadowComparison {
    static func agrees(_ primary: UpstreamResponse, _ shadow: UpstreamResponse) -> Bool? {
        guard let first = decode(primary), let second = decode(shadow), first.count == second.count else { return nil }
        for (left, right) in zip(first, second) {
            guard left.name == right.name else { return false }
            if left.datatype == .bytes, let leftTop = try? left.classifications().first,
                let rightTop = try? right.classifications().first
            {
                if leftTop.index != rightTop.index { return false }
                continue
            }
            if left.datatype != right.datatype || left.shape != right.shape || left.data != right.data { return false }
        }
        return true
    }

    private static func decode(_ response: UpstreamResponse) -> [InferTensor]? {
        let length = response.header(InferenceHeaderLength.field).flatMap(Int.init)
        return (try? InferenceCodec.decodeResponse(response.body, jsonHeaderLength: length))?.outputs
            .sorted { $0.name < $1.name }
    }
}

/// What a router's shadow calls for one model did (tests and the admin view).
public struct ShadowStats: Sendable, Hashable, Codable {
    /// Mirrored requests sent.
    public var sent = 0
    /// Mirrored requests dropped because `max_concurrent` were in flight.
    public var dropped = 0
    /// Shadow calls that got an answer.
    public var answered = 0
    /// Shadow calls without an answer, or with a 5xx.
    public var failed = 0
    /// Answers that agreed with the primary's (top-1 class, or exact outputs).
    public var agreed = 0
    /// Answers that did not.
    public var disagreed = 0
    /// Shadow calls in flight now.
    public var inFlight = 0

    /// Empty statistics.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case sent, dropped, answered, failed, agreed, disagreed
        case inFlight = "in_flight"
    }
}
