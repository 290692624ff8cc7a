/// Splits a JSON Lines body into lines as its bytes arrive, without ever holding more than one
/// line (at most `maxLineBytes`) plus the chunk being read.
///
/// Feed chunks with ``append(_:)``, take the complete lines with ``nextLine()`` until it returns
/// `nil`, and after the last chunk call ``finish()`` and take the final line the same way.
/// Lines end at `\n`; a `\r` before it is dropped; lines that are empty or only spaces and tabs
/// are skipped but still counted, so ``Line/number`` is the 1-based line number a text editor
/// shows. A UTF-8 byte order mark before the first line is ignored. The reader does not parse
/// JSON: each line's bytes are the caller's to decode.
///
/// ```swift
/// var reader = JSONLinesReader(maxLineBytes: 1 << 20)
/// for try await chunk in body {
///     reader.append(chunk)
///     while let line = try reader.nextLine() { try handle(line) }
/// }
/// reader.finish()
/// while let line = try reader.nextLine() { try handle(line) }
/// ```
public struct JSONLinesReader: Sendable {
    /// One non-blank line, without its line terminator.
    public struct Line: Sendable, Hashable {
        /// The 1-based line number in the body.
        public var number: Int
        /// The line's bytes, without `\n` or a trailing `\r`.
        public var bytes: [UInt8]
    }

    /// The longest line accepted, in bytes (without its terminator).
    public let maxLineBytes: Int

    private var buffer: [UInt8] = []
    /// Where the unread bytes of `buffer` start.
    private var start = 0
    /// How far past `start` the buffer is known to hold no `\n`.
    private var scanned = 0
    /// The number of the line that starts at `start`.
    private var lineNumber = 1
    private var finished = false
    private var checkedByteOrderMark = false

    /// Creates a reader refusing lines longer than `maxLineBytes` (at least 1).
    public init(maxLineBytes: Int) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Adds the next bytes of the body. Call ``nextLine()`` until it returns `nil` before the
    /// next append, so the reader holds at most one partial line.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        precondition(!finished, "append after finish")
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Marks the end of the body: the bytes after the last `\n` become the last line.
    public mutating func finish() {
        finished = true
    }

    /// The next complete non-blank line, or `nil` when more bytes are needed (or, after
    /// ``finish()``, when the body is exhausted).
    ///
    /// - Throws: ``JSONLinesReaderError`` when a line is longer than ``maxLineBytes``; the error
    ///   names the line. The reader is then unusable.
    public mutating func nextLine() throws(JSONLinesReaderError) -> Line? {
        guard skipByteOrderMark() else { return nil }
        while true {
            guard let end = nextNewline() else {
                let pending = buffer.count - start
                // One byte of slack: it may be the `\r` of a `\r\n` still to come.
                if pending > maxLineBytes + 1 { throw .lineTooLong(line: lineNumber, limit: maxLineBytes) }
                guard finished, pending > 0 else { return nil }
                return try take(upTo: buffer.count, consuming: 0)
            }
            if let line = try take(upTo: end, consuming: 1) { return line }
        }
    }

    /// The index of the next `\n` at or after `start`, looking at each byte once.
    private mutating func nextNewline() -> Int? {
        var index = start + scanned
        while index < buffer.count {
            if buffer[index] == UInt8(ascii: "\n") {
                scanned = 0
                return index
            }
            index += 1
        }
        scanned = buffer.count - start
        return nil
    }

    /// Consumes the line `start..<end` plus `terminator` bytes; returns it unless it is blank.
    private mutating func take(upTo end: Int, consuming terminator: Int) throws(JSONLinesReaderError) -> Line? {
        var last = end
        if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
        let number = lineNumber
        guard last - start <= maxLineBytes else { throw .lineTooLong(line: number, limit: maxLineBytes) }
        let range = start..<last
        start = end + terminator
        scanned = 0
        lineNumber += 1
        let isBlank = buffer[range].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        return isBlank ? nil : Line(number: number, bytes: Array(buffer[range]))
    }

    /// Drops the bytes already handed out, so the buffer never grows past one line and a chunk.
    private mutating func compact() {
        guard start > 0 else { return }
        buffer.removeFirst(start)
        start = 0
    }

    /// Skips a UTF-8 byte order mark at the very start; false while the first bytes could still
    /// be one (more bytes are needed to tell).
    private mutating func skipByteOrderMark() -> Bool {
        guard !checkedByteOrderMark else { return true }
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let head = buffer[start..<min(buffer.count, start + 3)]
        if head.count == 3 || finished || !head.elementsEqual(mark.prefix(head.count)) {
            checkedByteOrderMark = true
            if head.elementsEqual(mark) { start += 3 }
            return true
        }
        return false
    }
}

/// Why ``JSONLinesReader`` refused a body.
public enum JSONLinesReaderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Line `line` is longer than `limit` bytes.
    case lineTooLong(line: Int, limit: Int)

    public var description: String {
        switch self {
        case .lineTooLong(let line, let limit): "line \(line) is longer than \(limit) bytes"
        }
    }
}
