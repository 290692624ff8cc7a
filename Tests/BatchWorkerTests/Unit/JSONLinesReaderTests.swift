import TestSupport
import Testing
import UploadFormats

@Suite("Splitting JSON Lines as bytes arrive")
struct JSONLinesReaderTests {
    /// Every line of `body` fed in `chunks`-sized pieces, as (number, text).
    static func read(_ body: [UInt8], maxLineBytes: Int = 64, chunks: [Int]) throws -> [(Int, String)] {
        var reader = JSONLinesReader(maxLineBytes: maxLineBytes)
        var lines: [(Int, String)] = []
        var offset = 0
        var sizes = chunks.makeIterator()
        while offset < body.count {
            let size = max(1, sizes.next() ?? body.count)
            reader.append(body[offset..<min(body.count, offset + size)])
            offset += size
            while let line = try reader.nextLine() {
                lines.append((line.number, String(decoding: line.bytes, as: UTF8.self)))
            }
        }
        reader.finish()
        while let line = try reader.nextLine() {
            lines.append((line.number, String(decoding: line.bytes, as: UTF8.self)))
        }
        return lines
    }

    @Test("lines keep their editor line numbers; CRLF, blank lines, a BOM and a missing final newline are handled")
    func lineNumbers() throws {
        let body = Array("\u{FEFF}{\"a\":1}\r\n\n   \n{\"b\":2}\n\t\n{\"c\":3}".utf8)
        let lines = try Self.read(body, chunks: [])
        #expect(lines.map(\.0) == [1, 4, 6])
        #expect(lines.map(\.1) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test("any chunking gives the same lines (1,000 seeded splits)")
    func chunkingDoesNotMatter() throws {
        var random = SplitMix64(seed: 42)
        let body = Array("\u{FEFF}x\r\n\r\nyy\n\n zzz \n\u{00e9}\u{00e9}\r\nlast".utf8)
        let expected = try Self.read(body, chunks: []).map { "\($0.0):\($0.1)" }
        for _ in 0..<1000 {
            let chunks = (0..<body.count).map { _ in Int.random(in: 1...5, using: &random) }
            #expect(try Self.read(body, chunks: chunks).map { "\($0.0):\($0.1)" } == expected)
        }
    }

    @Test("a line longer than the cap is refused with its number, terminated or not, whatever the chunking")
    func lineTooLong() throws {
        let long = String(repeating: "x", count: 65)
        for chunk in [1, 7, 200] {
            #expect(throws: JSONLinesReaderError.lineTooLong(line: 3, limit: 64)) {
                _ = try Self.read(Array("a\n\n\(long)\nb\n".utf8), chunks: [Int](repeating: chunk, count: 200))
            }
            #expect(throws: JSONLinesReaderError.lineTooLong(line: 2, limit: 64)) {
                _ = try Self.read(Array("a\n\(long)".utf8), chunks: [Int](repeating: chunk, count: 200))
            }
        }
        // Exactly the cap, with CRLF split anywhere, is fine.
        let exact = String(repeating: "y", count: 64)
        for chunk in 1...4 {
            let lines = try Self.read(Array("\(exact)\r\n".utf8), chunks: [Int](repeating: chunk, count: 100))
            #expect(lines.map(\.1) == [exact])
        }
    }

    @Test("an unterminated run of bytes is refused once it passes the cap, before the body ends")
    func boundedMemory() throws {
        var reader = JSONLinesReader(maxLineBytes: 1024)
        var refusedAt: Int?
        for index in 0..<100 {
            reader.append([UInt8](repeating: UInt8(ascii: "z"), count: 100))
            do {
                while try reader.nextLine() != nil {}
            } catch {
                refusedAt = index
                break
            }
        }
        #expect(refusedAt == 10)
    }
}
