/// The rules for names that become S3 keys: item ids and output prefixes.
public enum BatchNaming {
    /// The item id that would collide with the job's `manifest.json`.
    public static let reservedItemID = "manifest"

    /// The longest item id accepted.
    public static let maxItemIDLength = 200

    /// True for 1…200 characters of ASCII letters, digits, `.`, `_`, `-`, `:` not starting with `.`.
    public static func isValidItemID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= maxItemIDLength, id.utf8.first != UInt8(ascii: ".") else { return false }
        return id.utf8.allSatisfy(isNameByte)
    }

    /// True for a relative prefix of `/`-separated segments, each a valid item id (so no `..`).
    public static func isValidPrefix(_ prefix: String) -> Bool {
        guard !prefix.isEmpty, prefix.utf8.count <= 512 else { return false }
        return prefix.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isValidItemID(String($0)) }
    }

    /// The key of a shard of a job's outputs, named by the Kafka partition and the first and last
    /// offsets of the items it holds: `{prefix}/{job_id}/shards/{partition}-{first}-{last}.jsonl`.
    public static func shardKey(
        prefix: String, jobID: String, partition: Int32, firstOffset: Int64, lastOffset: Int64
    ) -> String {
        shardFolder(prefix: prefix, jobID: jobID) + "\(partition)-\(firstOffset)-\(lastOffset).jsonl"
    }

    /// The folder of a job's shards: `{prefix}/{job_id}/shards/`.
    public static func shardFolder(prefix: String, jobID: String) -> String {
        "\(prefix)/\(jobID)/shards/"
    }

    /// The key of a job's manifest: `{prefix}/{job_id}/manifest.json`.
    public static func manifestKey(prefix: String, jobID: String) -> String {
        "\(prefix)/\(jobID)/manifest.json"
    }

    /// The key of a finished job's succeeded outputs: `{prefix}/{job_id}/output.jsonl`.
    public static func outputFileKey(prefix: String, jobID: String) -> String {
        "\(prefix)/\(jobID)/output.jsonl"
    }

    /// The key of a finished job's failures: `{prefix}/{job_id}/errors.jsonl`.
    public static func errorFileKey(prefix: String, jobID: String) -> String {
        "\(prefix)/\(jobID)/errors.jsonl"
    }

    /// The key within `bucket` of an `s3://{bucket}/{key}` URI; `nil` for another bucket or form.
    public static func objectKey(fromURI uri: String, bucket: String) -> String? {
        let head = "s3://\(bucket)/"
        guard uri.hasPrefix(head), uri.utf8.count > head.utf8.count else { return nil }
        return String(uri.dropFirst(head.count))
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: ":"):
            true
        default: false
        }
    }
}
