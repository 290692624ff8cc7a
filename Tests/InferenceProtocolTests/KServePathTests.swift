import Foundation
import InferenceProtocol
import TestSupport
import Testing

@Suite("KServe v2 paths and percent-decoding")
struct KServePathTests {
    @Test("model, version and action of every KServe v2 model path; anything else is no model path")
    func parse() {
        let cases: [(String, KServePath?)] = [
            ("/v2/models/simple/infer", KServePath(model: "simple", version: nil, action: "infer")),
            ("/v2/models/digits/versions/2/infer", KServePath(model: "digits", version: "2", action: "infer")),
            ("/v2/models/digits/versions/2", KServePath(model: "digits", version: "2", action: "")),
            ("/v2/models/digits", KServePath(model: "digits", version: nil, action: "")),
            ("/v2/models/digits/ready?x=1", KServePath(model: "digits", version: nil, action: "ready")),
            ("//v2//models/%64igits/config", KServePath(model: "digits", version: nil, action: "config")),
            ("/v2/models/a/b/c", KServePath(model: "a", version: nil, action: "b/c")),
            ("/v2/models/bad%zz/infer", KServePath(model: "bad%zz", version: nil, action: "infer")),
            ("/v2/models/stats", nil), ("/v2/models", nil), ("/v2/health/ready", nil), ("/", nil), ("", nil),
        ]
        for (path, expected) in cases {
            #expect(KServePath(path) == expected, "\(path)")
        }
    }

    @Test("decoding agrees with Foundation's removingPercentEncoding on 5,000 seeded segments")
    func agreesWithFoundation() {
        var generator = SplitMix64(seed: 0x6b73_6572_7665)
        let fragments = [
            "a", "Z", "0", "_", ".", "-", "%", "/", "é", " ", "%41", "%e2%82%ac", "%c3", "%2", "%%", "%ff", "%0a",
        ]
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...8, using: &generator)
            let segment = (0..<length).map { _ in fragments.randomElement(using: &generator)! }.joined()
            #expect(PercentDecoding.decode(segment) == segment.removingPercentEncoding, "\(segment)")
        }
    }
}

extension KServePath {
    fileprivate init(model: String, version: String?, action: String) {
        self.init("/v2/models/x")!
        self.model = model
        self.version = version
        self.action = action
    }
}
