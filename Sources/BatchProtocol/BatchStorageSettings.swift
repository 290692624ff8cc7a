import Configuration
import ObjectStore

/// The bucket batch outputs live in, read from the platform's shared keys: `s3.endpoint`,
/// `s3.region`, `s3.bucket` (`S3_*`), `aws.access_key_id` and `aws.secret_access_key` (`AWS_*`).
/// The worker writes there; the gateway reads results from there.
public enum BatchStorageSettings {
    /// The configuration from `config`, with the local stack's defaults for unset keys.
    public static func s3(from config: ConfigReader, retry: S3RetryPolicy) -> S3Configuration {
        S3Configuration(
            endpoint: config.string(forKey: "s3.endpoint", default: "http://127.0.0.1:9000"),
            region: config.string(forKey: "s3.region", default: "us-east-1"),
            bucket: config.string(forKey: "s3.bucket", default: "inference-outputs"),
            accessKeyID: config.string(forKey: "aws.access_key_id", default: ""),
            secretAccessKey: config.string(forKey: "aws.secret_access_key", isSecret: true, default: ""),
            retry: retry)
    }

    /// The configuration when `s3.endpoint` is set, else `nil` (the bucket is not in use).
    public static func s3IfConfigured(from config: ConfigReader, retry: S3RetryPolicy) -> S3Configuration? {
        guard let endpoint = config.string(forKey: "s3.endpoint"), !endpoint.isEmpty else { return nil }
        return s3(from: config, retry: retry)
    }
}
