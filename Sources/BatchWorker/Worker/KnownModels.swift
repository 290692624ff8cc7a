import InferenceProtocol
import Synchronization

/// The models the router has described to this worker.
///
/// Two uses, both bounded by the router's own model list (and by ``maxModels`` besides):
/// - metric labels: a model name from a message becomes a label only once the router knew it,
///   anything else is `other`, so producers cannot grow the metrics without bound;
/// - the canary: one request per model that recently succeeded, re-run when an item keeps
///   failing while the router reports ready. If the canary fails too, every item of the model
///   fails the same way and the router side is down; if it succeeds, the item is at fault.
final class KnownModels: Sendable {
    /// The label of a model the router never described.
    static let otherLabel = "other"
    /// The most models remembered; later ones are labelled ``otherLabel`` and have no canary.
    static let maxModels = 256

    private struct State {
        var names: Set<String> = []
        var canaries: [ModelKey: InferRequest] = [:]
    }

    private let state = Mutex(State())

    /// Records that the router described `key` (so it exists).
    func learned(_ key: ModelKey) {
        state.withLock { state in
            if state.names.count < Self.maxModels { state.names.insert(key.model) }
        }
    }

    /// The metric label of `model`: its name when the router described it, else `other`.
    func label(_ model: String) -> String {
        state.withLock { $0.names.contains(model) } ? model : Self.otherLabel
    }

    /// Keeps `request` as the model's canary: it just succeeded.
    func succeeded(_ request: InferRequest, key: ModelKey) {
        state.withLock { state in
            guard state.names.contains(key.model),
                state.canaries[key] != nil || state.canaries.count < Self.maxModels
            else { return }
            state.canaries[key] = request
        }
    }

    /// The model's canary, when one of its requests succeeded before.
    func canary(for key: ModelKey) -> InferRequest? {
        state.withLock { $0.canaries[key] }
    }
}
