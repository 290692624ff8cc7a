import InferenceProtocol
import Testing

@testable import Gateway

@Suite("Model names from paths")
struct ModelNameTests {
    @Test("percent-encoded spellings decode once to the same name")
    func decodesOnce() throws {
        #expect(try ModelName(pathSegment: "digits").value == "digits")
        #expect(try ModelName(pathSegment: "%64igits").value == "digits")
        #expect(try ModelName(pathSegment: "%64%69%67%69%74%73").value == "digits")
        #expect(try ModelName(pathSegment: "resnet-50_v1.2").value == "resnet-50_v1.2")
        #expect(try ModelName(pathSegment: "_private").value == "_private")
    }

    @Test(
        "anything that is not a model name is a 400",
        arguments: [
            "", "%2564igits", "a%2Fb", "a/b", "..", ".hidden", "-dash", "%zz", "%", "my%20model", "m%00",
            "caf%C3%A9", String(repeating: "m", count: 129), "a{b}", "%7Bx%7D",
        ])
    func rejects(_ segment: String) {
        #expect(throws: InferenceError.self) { try ModelName(pathSegment: segment) }
        do {
            _ = try ModelName(pathSegment: segment)
        } catch {
            #expect(error.code == .badRequest)
            #expect(!error.message.contains("\u{0}"))
        }
    }

    @Test("the longest accepted name has 128 characters")
    func length() throws {
        #expect(try ModelName(pathSegment: String(repeating: "m", count: 128)).value.count == 128)
    }
}
