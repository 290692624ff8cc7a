import Foundation
import TestSupport
import Testing

@testable import Platform

@Suite("Batched log writing")
struct BatchedLogWriterTests {
    /// Reads everything written to a pipe's write end once it is closed.
    private static func withPipe(_ body: (Int32) -> Void) async throws -> String {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
        let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        // Read on a thread of its own, so a full pipe never blocks the writer under test.
        let collected = Thread.detachedRead(reader)
        body(ends[1])
        close(ends[1])
        return String(decoding: await collected.value, as: UTF8.self)
    }

    @Test("lines from many threads arrive whole and, per thread, in order; flush writes what waits")
    func orderAndFlush() async throws {
        let text = try await Self.withPipe { descriptor in
            // A long interval: only flush() and the size bound write here, never the timer.
            let writer = BatchedLogWriter(descriptor: descriptor, interval: .seconds(600), maximumBuffered: 4096)
            DispatchQueue.concurrentPerform(iterations: 4) { thread in
                for index in 0..<500 { writer.append("t\(thread) line \(index)\n") }
            }
            writer.flush()
        }
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2000)
        for thread in 0..<4 {
            let own = lines.filter { $0.hasPrefix("t\(thread) ") }
            #expect(own == (0..<500).map { "t\(thread) line \($0)"[...] })
        }
    }

    @Test("a batch that reaches the bound is written by the caller that filled it")
    func boundedBuffer() async throws {
        let text = try await Self.withPipe { descriptor in
            let writer = BatchedLogWriter(descriptor: descriptor, interval: .seconds(600), maximumBuffered: 100)
            writer.append(String(repeating: "x", count: 60) + "\n")
            writer.append(String(repeating: "y", count: 60) + "\n")  // 122 bytes: written now
            writer.append("not flushed\n")
        }
        #expect(text == String(repeating: "x", count: 60) + "\n" + String(repeating: "y", count: 60) + "\n")
    }

    @Test("the writer thread writes a batch after its first line, also after it went idle")
    func timedBatches() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString)").path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let writer = BatchedLogWriter(descriptor: descriptor, interval: .milliseconds(20))
        let written = { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        writer.append("first\n")
        try await eventually("the first batch is written", within: .seconds(10)) { written() == "first\n" }
        // The thread now waits for a line; the next one must wake it.
        writer.append("second\n")
        try await eventually("the second batch is written", within: .seconds(10)) { written() == "first\nsecond\n" }
    }
}

extension Thread {
    /// Reads `handle` to its end on a new thread; the task's value is what was read.
    fileprivate static func detachedRead(_ handle: FileHandle) -> Task<Data, Never> {
        let (stream, continuation) = AsyncStream<Data>.makeStream()
        Thread {
            continuation.yield(handle.readDataToEndOfFile()); continuation.finish()
        }.start()
        return Task { await stream.first { _ in true } ?? Data() }
    }
}
