import Foundation
import Logging
import Synchronization
import Testing

@testable import Platform

@Suite("JSON logging")
struct JSONLogHandlerTests {
    /// Collects the handler's lines.
    final class Lines: Sendable {
        let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    @Test("each event is one parseable JSON line with level, logger, message and metadata")
    func oneLinePerEvent() throws {
        let lines = Lines()
        var logger = Logger(label: "gateway") { label in
            JSONLogHandler(label: label, logLevel: .debug) { lines.append($0) }
        }
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("request.done", metadata: ["model": "digits", "attempts": "2", "note": "line\n\"two\""])
        logger.trace("not emitted below debug")

        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false, "embedded newlines are escaped")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "gateway")
        #expect(object["msg"] as? String == "request.done")
        #expect(object["request.id"] as? String == "r-1")
        #expect(object["model"] as? String == "digits")
        #expect(object["note"] as? String == "line\n\"two\"")
        #expect(object["ts"] as? String != nil)
    }

    @Test("errors carry their source location; nested metadata stays structured")
    func errorsAndNesting() throws {
        let lines = Lines()
        let logger = Logger(label: "router") { label in JSONLogHandler(label: label) { lines.append($0) } }
        logger.error("backend.failed", metadata: ["backend": ["name": "triton-a", "codes": ["503", "504"]]])
        let line = try #require(lines.all.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let backend = try #require(object["backend"] as? [String: Any])
        #expect(backend["name"] as? String == "triton-a")
        #expect(backend["codes"] as? [String] == ["503", "504"])
        #expect((object["source"] as? String)?.contains("JSONLogHandlerTests.swift") == true)
    }

    @Test("control characters are escaped as \\u00XX")
    func controlCharacters() {
        #expect(JSONLogHandler.quoted("a\u{01}b") == "\"a\\u0001b\"")
    }

    @Test("timestamps are UTC with milliseconds and agree with Foundation over 2,000 seeded instants")
    func timestamps() {
        var state: UInt64 = 0x7469_6d65
        var formatter = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
        formatter = formatter.year().month().day().time(includingFractionalSeconds: true)
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Int(state >> 33) % 4_102_444_800  // 1970 ... 2100
            let milliseconds = Int(state >> 20) % 1000
            var line = ""
            JSONLogHandler.appendTimestamp(
                to: &line, now: timespec(tv_sec: seconds, tv_nsec: milliseconds * 1_000_000 + 999_999))
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1000 + 0.0005)
            #expect(line == formatter.format(date), "\(seconds).\(milliseconds)")
        }
    }
}
