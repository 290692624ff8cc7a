import CHiredis

/// One reply from Redis (RESP2).
///
/// Bulk strings are raw bytes (binary-safe); use ``stringValue`` for UTF-8 text. An error reply at
/// the top level is thrown as ``RedisClientError`` by ``RedisClient``; ``error(_:)`` only appears
/// nested inside arrays (for example in a script's returned table).
public enum RedisReply: Sendable, Hashable {
    /// A bulk string: arbitrary bytes.
    case bulkString([UInt8])
    /// A simple status string such as `OK` or `PONG`.
    case status(String)
    /// A 64-bit integer.
    case integer(Int64)
    /// An array of replies; may nest.
    case array([RedisReply])
    /// A nil bulk string or nil array (a missing key, a Lua `false`).
    case null
    /// An error reply nested inside an array.
    case error(String)

    /// The text of a bulk string (decoded as UTF-8) or a status; otherwise `nil`.
    public var stringValue: String? {
        switch self {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The bytes of a bulk string or a status; otherwise `nil`.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// An integer reply, or a bulk string that spells a decimal integer; otherwise `nil`.
    public var intValue: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply; otherwise `nil`.
    public var arrayValue: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// True for ``null``.
    public var isNull: Bool { self == .null }
}

extension RedisReply {
    /// Copies a hiredis reply tree into Swift values; the caller still frees `reply`.
    init(hiredis reply: UnsafePointer<redisReply>) throws(RedisClientError) {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            self = .bulkString(Self.bytes(value.str, count: value.len))
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: Self.bytes(value.str, count: value.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: Self.bytes(value.str, count: value.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(value.integer))
        case REDIS_REPLY_NIL:
            self = .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                guard let element = value.element?[index] else {
                    throw .protocolError("an array reply has a missing element")
                }
                elements.append(try RedisReply(hiredis: element))
            }
            self = .array(elements)
        default:
            throw .protocolError("unknown reply type \(value.type)")
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            Array(UnsafeBufferPointer(start: bytes, count: count))
        }
    }
}
