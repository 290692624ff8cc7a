/// Which scope each route needs, by route template; nil means the route is open.
///
/// Health, readiness, metrics and the OpenAPI document are open; `/v1/batches…` and the OpenAI
/// Batch API under `/openai/v1` need `batch`,
/// `/admin…` needs `admin`, everything else (the KServe v2 surface, model listing, classify)
/// needs `infer`.
public enum AccessPolicy {
    /// Route templates anyone may call.
    public static let openRoutes: Set<String> = [
        "/healthz", "/readyz", "/metrics", "/openapi.yaml", "/v2/health/live", "/v2/health/ready",
    ]

    /// The scope `route` (a template such as `/v2/models/{model}/infer`) requires, or nil.
    public static func requiredScope(forRoute route: String) -> Scope? {
        if openRoutes.contains(route) { return nil }
        if route.hasPrefix("/v1/batches") || route.hasPrefix("/openai/v1/") { return .batch }
        if route.hasPrefix("/admin") { return .admin }
        return .infer
    }
}
