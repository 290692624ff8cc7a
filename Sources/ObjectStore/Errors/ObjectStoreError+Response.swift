import InferenceProtocol
import CurlHTTP

extension ObjectStoreError {
    /// The error for an S3 answer that is not a success.
    ///
    /// Reads `<Code>` and `<Message>` from S3's XML error body; a body-less answer (every HEAD)
    /// is judged by its status alone. `key` is `nil` for bucket-level requests.
    static func from(_ response: UpstreamResponse, bucket: String, key: String?) -> ObjectStoreError {
        let body = Substring(String(decoding: response.body.prefix(64 * 1024), as: UTF8.self))
        let isErrorDocument = body.contains("<Error>")
        let s3Code = isErrorDocument ? S3XML.value("Code", in: body) : nil
        let message = isErrorDocument ? S3XML.value("Message", in: body) : nil
        let status = response.status

        switch s3Code {
        case "NoSuchKey":
            return .notFound(bucket: bucket, key: key ?? "", status: status)
        case "NoSuchBucket":
            return .bucketMissing(bucket: bucket, status: status)
        case "SignatureDoesNotMatch":
            return .signatureMismatch(status: status)
        case "InvalidAccessKeyId":
            return .unknownAccessKey(status: status)
        case "AccessDenied", "AllAccessDisabled", "InvalidToken", "ExpiredToken":
            return .accessDenied(status: status, s3Code: s3Code)
        case .some(let code):
            return .server(status: status, s3Code: code, message: message)
        case nil:
            switch status {
            case 404:
                return key.map { .notFound(bucket: bucket, key: $0, status: status) }
                    ?? .bucketMissing(bucket: bucket, status: status)
            case 401, 403:
                return .accessDenied(status: status, s3Code: nil)
            default:
                return .server(status: status, s3Code: nil, message: nil)
            }
        }
    }
}
