import BatchProtocol
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

    /// The objects at `keys`, one after the other, read a slice at a time, each line (without its
    /// newline, numbered from 0 across the objects) replaced by what `transform` makes of it.
    /// Memory holds one slice and one line; a line longer than `maxLineBytes` fails the stream.
    func streamLines(
        keys: [String], maxLineBytes: Int = 16 << 20, transform: @escaping @Sendable (Data, Int) throws -> Data
    ) -> ResponseBody {
        let objects = self.objects
        let slice = sliceBytes
        return ResponseBody { writer in
            var index = 0
            for key in keys {
                guard let size = try await objects.head(key: key)?.size else { continue }
                var carry = Data()
                var offset = 0
                while offset < size {
                    let end = min(size, offset + slice)
                    carry.append(try await objects.get(key: key, range: offset..<end))
                    offset = end
                    var out = Data()
                    var start = carry.startIndex
                    while let newline = carry[start...].firstIndex(of: UInt8(ascii: "\n")) {
                        out.append(try transform(Data(carry[start..<newline]), index))
                        index += 1
                        start = newline + 1
                    }
                    carry = Data(carry[start...])
                    guard carry.count <= maxLineBytes else {
                        throw InferenceError.internal("a line of \(key) is longer than \(maxLineBytes) bytes")
                    }
                    if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
                }
                if !carry.isEmpty {
                    try await writer.write(ByteBuffer(bytes: try transform(carry, index)))
                    index += 1
                }
            }
            try await writer.finish(nil)
        }
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
