import Foundation
import Hummingbird
import InferenceProtocol
import ObjectStore
import PlatformStore

/// Reads finished jobs' outputs from the bucket the worker writes: whole result files, streamed a
/// slice at a time, and one item's output line by a range GET of its shard.
public struct BatchResultReader: Sendable {
    let objects: S3Client
    /// The bytes read from S3 per request while streaming a file.
    let sliceBytes: Int

    /// Creates a reader over the worker's bucket.
    public init(objects: S3Client, sliceBytes: Int = 1 << 20) {
        self.objects = objects
        self.sliceBytes = max(64 << 10, sliceBytes)
    }

    /// The object at `key` as a response body of known length, read in slices as the client
    /// takes them (memory holds one slice).
    func stream(key: String) async throws -> (body: ResponseBody, length: Int) {
        guard let head = try await objects.head(key: key) else {
            throw InferenceError.notFound("the result file is missing from the bucket")
        }
        let objects = self.objects
        let slice = sliceBytes
        let length = head.size
        let body = ResponseBody(contentLength: length) { writer in
            var offset = 0
            while offset < length {
                let end = min(length, offset + slice)
                let bytes = try await objects.get(key: key, range: offset..<end)
                try await writer.write(ByteBuffer(bytes: bytes))
                offset = end
            }
            try await writer.finish(nil)
        }
        return (body, length)
    }

    /// The output line of a succeeded item (without its newline).
    func output(of item: BatchItem) async throws -> Data {
        guard let uri = item.outputURI, let key = BatchNaming.objectKey(fromURI: uri, bucket: objects.bucket) else {
            throw InferenceError.notFound("item \(item.itemID) has no stored output in this bucket")
        }
        var line: Data
        if let range = item.outputRange {
            line = try await objects.get(key: key, range: range)
        } else {
            line = try await objects.get(key: key)
        }
        if line.last == UInt8(ascii: "\n") { line.removeLast() }
        return line
    }
}
