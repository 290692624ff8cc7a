/// What a principal may do. `admin` satisfies every requirement.
public enum Scope: String, Sendable, Hashable, CaseIterable {
    /// Real-time inference, model metadata and listing, classification.
    case infer
    /// Batch jobs: submit, follow, cancel.
    case batch
    /// Operator endpoints; also grants every other scope.
    case admin

    /// The scopes named in a space- or comma-separated list; unknown names are ignored.
    public static func parse(_ names: some Sequence<String>) -> Set<Scope> {
        var scopes: Set<Scope> = []
        for name in names {
            for part in name.split(whereSeparator: { $0 == " " || $0 == "," }) {
                if let scope = Scope(rawValue: String(part)) { scopes.insert(scope) }
            }
        }
        return scopes
    }
}
