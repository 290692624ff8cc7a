/// The span attribute names operators filter traces by, in one place for every process.
public enum SpanKeys {
    /// The model a request names.
    public static let model = "inference.model"
    /// The model version a request was routed to ("default" when the backend picks).
    public static let modelVersion = "inference.model_version"
    /// The backend an attempt went to.
    public static let backend = "inference.backend"
    /// How an attempt or a stage ended (`success`, `server_fault`, `timeout`, …).
    public static let outcome = "inference.outcome"
    /// The authenticated principal (OpenTelemetry's `enduser.id`).
    public static let principal = "enduser.id"
    /// The batch job an item belongs to.
    public static let batchJob = "batch.job_id"
}
