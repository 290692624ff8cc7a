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

    /// The bytes `range` of the object at `key` (the whole object when `nil`) as a response body
    /// of known length, read in slices as the client takes them (memory holds one slice), and the
    /// object's size. A range past the end is cut at the end; one starting past it throws
    /// ``BatchByteRange/Unsatisfiable``.
    func stream(key: String, range: BatchByteRange?) async throws -> (body: ResponseBody, bytes: Range<Int>, size: Int)
    {
        guard let head = try await objects.head(key: key) else {
            throw InferenceError.notFound("the result file is missing from the bucket")
        }
        let bytes = try range?.resolved(size: head.size) ?? 0..<head.size
        let objects = self.objects
        let slice = sliceBytes
        let body = ResponseBody(contentLength: bytes.count) { writer in
            var offset = bytes.lowerBound
            while offset < bytes.upperBound {
                let end = min(bytes.upperBound, offset + slice)
                try await writer.write(ByteBuffer(bytes: try await objects.get(key: key, range: offset..<end)))
                offset = end
            }
            try await writer.finish(nil)
        }
        return (body, bytes, head.size)
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
