import Foundation
import Routing
import Testing

@testable import RouterApp

@Suite("Routes file")
struct RoutingSpecTests {
    @Test("the shipped config/routes.yaml parses: two backends, a 90/10 digits canary")
    func shippedFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let spec = try RoutingSpec.load(path: root.appendingPathComponent("config/routes.yaml").path)
        #expect(spec.backends.map(\.id.rawValue) == ["triton-a", "triton-b"])
        let digits = try #require(spec.routes.first { $0.model == "digits" })
        #expect(digits.targets.map(\.weight) == [90, 10])
        #expect(digits.targets.map(\.version) == ["1", "2"])
    }

    @Test("invalid routes are refused with a message naming the file and the problem")
    func invalid() {
        let yaml = """
            backends: [{ name: a, url: "http://127.0.0.1:1" }]
            routes:
              - model: digits
                targets: [{ version: "1", weight: -5 }]
            """
        #expect {
            _ = try RoutingSpec.parse(yaml, source: "routes.yaml")
        } throws: { error in
            "\(error)".contains("routes.yaml") && "\(error)".contains("digits")
        }
        #expect(throws: RoutingSpecError.self) { _ = try RoutingSpec.parse("backends: 3", source: "x") }
        #expect(throws: RoutingSpecError.self) {
            _ = try RoutingSpec.parse(
                "backends: [{name: a, url: 'http://x'}, {name: a, url: 'http://y'}]", source: "dup")
        }
    }

    @Test("ROUTER_BACKENDS form: name=url pairs, or bare URLs named in order")
    func backendList() {
        let named = RoutingSpec.backends(fromList: "triton-a=http://127.0.0.1:8000, triton-b=http://127.0.0.1:8100")
        #expect(named.map(\.id.rawValue) == ["triton-a", "triton-b"])
        #expect(named.map(\.url) == ["http://127.0.0.1:8000", "http://127.0.0.1:8100"])
        let bare = RoutingSpec.backends(fromList: "http://10.0.0.1:8000,http://10.0.0.2:8000")
        #expect(bare.map(\.id.rawValue) == ["backend-1", "backend-2"])
        #expect(bare[1].url == "http://10.0.0.2:8000")
    }
}
