/// Metadata keys of the batch pipeline's log messages (worker and API alike), in one place.
public enum BatchLogKey {
    public static let error = "error"
    public static let operation = "batch.operation"
    public static let attempt = "batch.attempt"
    public static let dependency = "batch.dependency"
    public static let jobID = "batch.job_id"
    public static let itemID = "batch.item_id"
    public static let model = "batch.model"
    public static let partition = "kafka.partition"
    public static let offset = "kafka.offset"
    public static let items = "batch.items"
}
