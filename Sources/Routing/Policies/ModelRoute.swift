/// How one model's traffic is split between versions (canary) and balanced over backends.
public struct ModelRoute: Sendable, Hashable, Codable {
    /// The largest weight a target may have, so weight sums cannot overflow.
    public static let maxWeight = 1_000_000

    /// The model name clients use in `/v2/models/{model}`.
    public var model: String
    /// The versions the traffic is split between, by weight.
    public var targets: [RouteTarget]
    /// How each target's traffic is spread over its backends. Default round-robin.
    public var strategy: BalancingStrategy
    /// Whether and when inference is hedged; nil (the default) never hedges.
    public var hedge: HedgePolicy?
    /// An SLO-guarded rollout between two of the route's versions; the router then sets the two
    /// targets' weights itself, step by step.
    public var canary: CanaryPolicy?
    /// Mirrors a share of inference to a shadow version or backends; nil mirrors nothing.
    public var shadow: ShadowPolicy?

    /// Creates a route; call ``validate()`` (or build a ``RouteTable``) before using it.
    public init(
        model: String, targets: [RouteTarget], strategy: BalancingStrategy = .roundRobin, hedge: HedgePolicy? = nil,
        canary: CanaryPolicy? = nil, shadow: ShadowPolicy? = nil
    ) {
        self.model = model
        self.targets = targets
        self.strategy = strategy
        self.hedge = hedge
        self.canary = canary
        self.shadow = shadow
    }

    private enum CodingKeys: String, CodingKey {
        case model, targets, strategy, hedge, canary, shadow
    }

    /// Decodes a route; a missing `strategy` means round-robin.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.model = try container.decode(String.self, forKey: .model)
        self.targets = try container.decode([RouteTarget].self, forKey: .targets)
        self.strategy = try container.decodeIfPresent(BalancingStrategy.self, forKey: .strategy) ?? .roundRobin
        self.hedge = try container.decodeIfPresent(HedgePolicy.self, forKey: .hedge)
        self.canary = try container.decodeIfPresent(CanaryPolicy.self, forKey: .canary)
        self.shadow = try container.decodeIfPresent(ShadowPolicy.self, forKey: .shadow)
    }

    /// A route sending all of `model`'s traffic to the request's own version.
    public static func single(_ model: String, strategy: BalancingStrategy = .roundRobin) -> ModelRoute {
        ModelRoute(model: model, targets: [RouteTarget(weight: 1)], strategy: strategy)
    }

    /// The sum of the targets' weights.
    public var totalWeight: Int { targets.reduce(0) { $0 + max($1.weight, 0) } }

    /// The target for `version` exactly (`nil` matches the unversioned target).
    public func target(version: String?) -> RouteTarget? {
        targets.first { $0.version == version }
    }

    /// Checks the route; throws the first problem found, naming the model and target.
    public func validate() throws(RouteValidationError) {
        guard Self.isValidName(model) else {
            throw RouteValidationError(
                .invalidModelName, model: model,
                "model \"\(model)\": the name must be non-empty, without \"/\" or whitespace")
        }
        guard !targets.isEmpty else {
            throw RouteValidationError(.noTargets, model: model, "model \"\(model)\": the route has no targets")
        }
        var versions: [String?: Int] = [:]
        for (index, target) in targets.enumerated() {
            let name = "model \"\(model)\", target \(index) (\(target.label))"
            if let version = target.version, !Self.isValidName(version) {
                throw RouteValidationError(
                    .invalidVersion, model: model, targetIndex: index,
                    "\(name): the version must be non-empty, without \"/\" or whitespace")
            }
            if let first = versions[target.version] {
                throw RouteValidationError(
                    .duplicateVersion, model: model, targetIndex: index,
                    "\(name): duplicates target \(first); each version may appear once")
            }
            versions[target.version] = index
            if target.weight < 0 {
                throw RouteValidationError(
                    .negativeWeight, model: model, targetIndex: index,
                    "\(name): weight \(target.weight) is negative; weights must be 0 or more")
            }
            if target.weight > Self.maxWeight {
                throw RouteValidationError(
                    .weightTooLarge, model: model, targetIndex: index,
                    "\(name): weight \(target.weight) is above the maximum of \(Self.maxWeight)")
            }
            if let backends = target.backends, backends.isEmpty {
                throw RouteValidationError(
                    .emptyBackends, model: model, targetIndex: index,
                    "\(name): the backend list is empty; omit it to use every backend")
            }
        }
        guard totalWeight > 0 else {
            throw RouteValidationError(
                .zeroTotalWeight, model: model,
                "model \"\(model)\": every target has weight 0; at least one must be positive")
        }
        if let canary {
            if let problem = canary.problem {
                throw RouteValidationError(.invalidCanary, model: model, "model \"\(model)\": canary: \(problem)")
            }
            guard target(version: canary.stable) != nil, target(version: canary.canary) != nil else {
                throw RouteValidationError(
                    .invalidCanary, model: model,
                    "model \"\(model)\": canary: the route needs a target for each of versions "
                        + "\"\(canary.stable)\" and \"\(canary.canary)\"")
            }
        }
        if let shadow, !shadow.isValid {
            throw RouteValidationError(
                .invalidShadow, model: model,
                "model \"\(model)\": shadow percent must be from 0 to 100, max_concurrent from 1 to 1024, backends not empty"
            )
        }
        if let hedge, !hedge.isValid {
            throw RouteValidationError(
                .invalidHedge, model: model,
                "model \"\(model)\": hedge percentile must be from 0.5 to 0.999 and min_delay_ms from 0 to 60000")
        }
    }

    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains { $0 == "/" || $0.isWhitespace }
    }
}
