import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A growable byte buffer that hands its memory to a `Data` without copying.
///
/// Encoding builds whole bodies (JSON header and binary blobs) in one of these; JSON decoding builds each
/// tensor's binary layout in one. Noncopyable, so the memory has exactly one owner.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// The number of bytes written so far.
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        guard let memory = malloc(self.capacity) else { fatalError("out of memory allocating \(capacity) bytes") }
        base = memory
    }

    deinit {
        free(base)
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if extra > capacity - count { grow(toAtLeast: count + extra) }
    }

    @inline(never)
    private mutating func grow(toAtLeast needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        guard let memory = realloc(base, newCapacity) else {
            fatalError("out of memory growing a buffer to \(newCapacity) bytes")
        }
        base = memory
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends `bytes`.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends the contents of `data`.
    mutating func append(_ data: Data) {
        data.withUnsafeBytes { append($0) }
    }

    /// Appends the bytes of an ASCII literal.
    @inline(__always)
    mutating func append(_ literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 bytes of `string`.
    mutating func append(utf8 string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `value` in little-endian byte order.
    @inline(__always)
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        let size = MemoryLayout<T>.size
        reserve(size)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: T.self)
        count += size
    }

    /// Overwrites 4 bytes at `offset` (already written) with `value` in little-endian order.
    mutating func storeLittleEndian(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= count)
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Runs `body` with room for `maximum` bytes at the end; `body` returns how many it wrote.
    @inline(__always)
    mutating func appendWithin(maximum: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        reserve(maximum)
        let written = body(base + count)
        count += written
    }

    /// The bytes written, as a `Data` that takes over the memory.
    consuming func finish() -> Data {
        let base = self.base
        let count = self.count
        let capacity = self.capacity
        discard self
        guard count > 0 else {
            free(base)
            return Data()
        }
        var memory = base
        if capacity - count > 4096, let shrunk = realloc(base, count) {
            memory = shrunk
        }
        return Data(bytesNoCopy: memory, count: count, deallocator: .free)
    }
}
