/// Why a model route or a route table was refused; the admin API returns it as a 400.
///
/// `description` names the model and the target at fault, and carries no secrets.
public struct RouteValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; `name` is a short, label-safe string for metrics.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidModelName = "invalid_model_name"
            case noTargets = "no_targets"
            case negativeWeight = "negative_weight"
            case weightTooLarge = "weight_too_large"
            case zeroTotalWeight = "zero_total_weight"
            case invalidVersion = "invalid_version"
            case duplicateVersion = "duplicate_version"
            case emptyBackends = "empty_backends"
            case duplicateModel = "duplicate_model"
            case invalidHedge = "invalid_hedge"
            case invalidCanary = "invalid_canary"
            case invalidShadow = "invalid_shadow"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The model name is empty or contains `/` or whitespace.
        public static let invalidModelName = Code(.invalidModelName)
        /// The route has no target.
        public static let noTargets = Code(.noTargets)
        /// A target's weight is below 0.
        public static let negativeWeight = Code(.negativeWeight)
        /// A target's weight is above ``ModelRoute/maxWeight``.
        public static let weightTooLarge = Code(.weightTooLarge)
        /// Every target has weight 0, so no traffic could be routed.
        public static let zeroTotalWeight = Code(.zeroTotalWeight)
        /// A target's version is empty or contains `/` or whitespace.
        public static let invalidVersion = Code(.invalidVersion)
        /// Two targets name the same version (or both name none).
        public static let duplicateVersion = Code(.duplicateVersion)
        /// A target lists backends, but the list is empty.
        public static let emptyBackends = Code(.emptyBackends)
        /// A route table holds two routes for one model.
        public static let duplicateModel = Code(.duplicateModel)
        /// The hedge policy's percentile or minimum delay is out of range.
        public static let invalidHedge = Code(.invalidHedge)
        /// The canary policy's numbers are out of range, or its versions have no target.
        public static let invalidCanary = Code(.invalidCanary)
        /// The shadow policy's numbers are out of range.
        public static let invalidShadow = Code(.invalidShadow)

        /// A short, label-safe name, e.g. `duplicate_version`.
        public var name: String { base.rawValue }

        /// The label-safe name.
        public var description: String { base.rawValue }
    }

    /// What kind of problem it is.
    public let code: Code
    /// The model whose route is at fault.
    public let model: String
    /// The index of the target at fault, if one is.
    public let targetIndex: Int?
    /// A sentence for the operator, naming the model and the target.
    public let description: String

    init(_ code: Code, model: String, targetIndex: Int? = nil, _ description: String) {
        self.code = code
        self.model = model
        self.targetIndex = targetIndex
        self.description = description
    }
}
