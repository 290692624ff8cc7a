import Testing

@testable import BatchWorker
@testable import BatchAPI

@Suite("Range headers of result-file downloads")
struct BatchByteRangeTests {
    @Test("bytes=first-last and bytes=first- are read; anything else is not one byte range")
    func parsing() {
        #expect(BatchByteRange(header: "bytes=0-99") == BatchByteRange(first: 0, last: 99))
        #expect(BatchByteRange(header: "bytes=100-") == BatchByteRange(first: 100, last: nil))
        for bad in [
            "bytes=-5", "bytes=5-4", "bytes=a-b", "items=0-1", "bytes=0-1,4-5", "bytes=", "bytes=-",
            "bytes=99999999999999999999-", "bytes=+1-2", "bytes= 1-2",
        ] {
            #expect(BatchByteRange(header: bad) == nil, "\(bad)")
        }
    }

    @Test("a range is cut at the end of the object; one starting at or past the end is unsatisfiable")
    func resolving() throws {
        #expect(try BatchByteRange(first: 0, last: 99).resolved(size: 1000) == 0..<100)
        #expect(try BatchByteRange(first: 900, last: 4_000).resolved(size: 1000) == 900..<1000)
        #expect(try BatchByteRange(first: 10, last: nil).resolved(size: 1000) == 10..<1000)
        #expect(throws: BatchByteRange.Unsatisfiable.self) {
            try BatchByteRange(first: 1000, last: nil).resolved(size: 1000)
        }
        #expect(throws: BatchByteRange.Unsatisfiable.self) { try BatchByteRange(first: 0, last: 5).resolved(size: 0) }
    }
}
