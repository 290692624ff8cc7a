import InferenceProtocol
import Testing

@testable import CurlHTTP

@Suite("Response header lines parsed on their bytes")
struct HeaderLineTests {
    private func parse(_ text: [UInt8]) -> HeaderLine? {
        text.withUnsafeBytes { HeaderLine($0) }
    }

    @Test("name and value are trimmed of spaces, tabs and the line ending")
    func field() {
        #expect(
            parse(Array("Content-Type:  application/json \r\n".utf8))
                == .field(name: "Content-Type", value: "application/json"))
        #expect(parse(Array("X-Empty:\r\n".utf8)) == .field(name: "X-Empty", value: ""))
        #expect(
            parse(Array("Location: http://h:8000/a\r\n".utf8)) == .field(name: "Location", value: "http://h:8000/a"))
        #expect(parse(Array("\tX-Tab\t:\tv\t\r\n".utf8)) == .field(name: "X-Tab", value: "v"))
    }

    @Test("status lines, the blank line and lines without a colon")
    func others() {
        #expect(parse(Array("HTTP/1.1 100 Continue\r\n".utf8)) == .statusLine)
        #expect(parse(Array("HTTP/2 200\r\n".utf8)) == .statusLine)
        #expect(parse(Array("\r\n".utf8)) == nil)
        #expect(parse(Array("garbage\r\n".utf8)) == nil)
    }

    @Test("bytes above 0x7F are ISO-8859-1, never a reason to drop the line")
    func latin1() {
        #expect(parse([0x58, 0x3A, 0x20, 0xE9, 0xFF, 0x0D, 0x0A]) == .field(name: "X", value: "\u{E9}\u{FF}"))
    }

    @Test("header names compare equal regardless of ASCII case only")
    func names() {
        #expect("content-LENGTH".isSameHeaderName(as: "Content-Length"))
        #expect(!"Content-Lengths".isSameHeaderName(as: "Content-Length"))
        #expect(!"Content_Length".isSameHeaderName(as: "Content-Length"))
        #expect(!"x-\u{E9}".isSameHeaderName(as: "X-\u{C9}"))
    }
}
