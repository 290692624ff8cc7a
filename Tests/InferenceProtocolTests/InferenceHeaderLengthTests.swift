import InferenceProtocol
import Testing

@Suite("Inference-Header-Content-Length: one parser for every service")
struct InferenceHeaderLengthTests {
    @Test("absent is nil; whole numbers from 0 to the body's length are accepted")
    func accepted() throws {
        #expect(try InferenceHeaderLength.parse(nil, bodyCount: 10) == nil)
        #expect(try InferenceHeaderLength.parse("0", bodyCount: 10) == 0)
        #expect(try InferenceHeaderLength.parse(" 7 ", bodyCount: 10) == 7)
        #expect(try InferenceHeaderLength.parse("10", bodyCount: 10) == 10)
        #expect(
            try InferenceHeaderLength.parse(
                headers: [(name: "inference-header-content-length", value: "4")], bodyCount: 4) == 4)
    }

    @Test(
        "negative, non-numeric, overflowing and larger-than-body values are 400 naming the header",
        arguments: ["-1", "abc", "", " ", "+5", "1e3", "0x10", "11", "99999999999999999999999", "5 5", "٣"])
    func refused(value: String) {
        let error = #expect(throws: InferenceError.self) {
            _ = try InferenceHeaderLength.parse(value, bodyCount: 10)
        }
        #expect(error?.httpStatus == 400)
        #expect(error?.message.contains("Inference-Header-Content-Length") == true, "\(error?.message ?? "")")
    }
}
