import FuzzSupport
import UploadFormats

/// A JSON Lines batch upload, split by `JSONLinesReader` as its chunks arrive.
///
/// The input's first byte sets the line limit (1...256 bytes) and its second the chunk sizes; the
/// rest is the body, fed in chunks of 1 to 64 bytes. The lines read must be exactly those of a
/// plain split of the whole body (same numbers, same bytes), and the reader must refuse the body
/// exactly when one of its lines is over the limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONLines(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start, count >= 2 else { return 0 }
    let input = UnsafeBufferPointer(start: start, count: count)
    let limit = Int(input[0]) + 1
    var chunkSeed = UInt32(input[1]) | 1
    let body = Array(input[2...])

    var reader = JSONLinesReader(maxLineBytes: limit)
    var lines: [JSONLinesReader.Line] = []
    var refused: JSONLinesReaderError?
    var offset = 0
    do {
        while offset < body.count {
            chunkSeed = chunkSeed &* 1_103_515_245 &+ 12345
            let size = min(Int(chunkSeed >> 16) % 64 + 1, body.count - offset)
            reader.append(body[offset..<offset + size])
            offset += size
            while let line = try reader.nextLine() { lines.append(line) }
        }
        reader.finish()
        while let line = try reader.nextLine() { lines.append(line) }
    } catch {
        refused = error
    }

    let expected = JSONLinesModel.split(body)
    let firstLong = expected.all.first { $0.bytes.count > limit }
    if let firstLong {
        Invariants.require(
            refused == .lineTooLong(line: firstLong.number, limit: limit),
            "line \(firstLong.number) is over \(limit) bytes, but the reader said \(String(describing: refused))")
        let before = expected.nonBlank.filter { $0.number < firstLong.number }
        Invariants.require(
            lines.map(JSONLinesModel.Line.init) == before, "the lines before a refused one differ from a plain split")
    } else {
        Invariants.require(refused == nil, "a body with no line over \(limit) bytes was refused: \(refused!)")
        Invariants.require(
            lines.map(JSONLinesModel.Line.init) == expected.nonBlank,
            "the lines differ from a plain split of the whole body")
    }
    return 0
}

/// The JSON Lines rules on a whole body at once: the reference the incremental reader is checked against.
enum JSONLinesModel {
    /// A line of the body: its 1-based number and its bytes without the terminator.
    struct Line: Equatable {
        var number: Int
        var bytes: [UInt8]

        init(number: Int, bytes: [UInt8]) {
            self.number = number
            self.bytes = bytes
        }

        init(_ line: JSONLinesReader.Line) {
            self.init(number: line.number, bytes: line.bytes)
        }
    }

    /// Every line (blank ones too) with its 1-based number, and the non-blank ones.
    static func split(_ body: [UInt8]) -> (all: [Line], nonBlank: [Line]) {
        var bytes = body[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        let all = pieces.enumerated().map { index, piece in
            let line = piece.last == UInt8(ascii: "\r") ? piece.dropLast() : piece
            return Line(number: index + 1, bytes: Array(line))
        }
        let nonBlank = all.filter { line in
            !line.bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        }
        return (all, nonBlank)
    }
}

@main
enum FuzzJSONLines {
    static func main() {
        FuzzerMain.run(fuzzJSONLines)
    }
}
