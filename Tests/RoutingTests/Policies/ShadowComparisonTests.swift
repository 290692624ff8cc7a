import Foundation
import InferenceProtocol
import Testing

@testable import Routing

@Suite("Shadow answers compared with the primary's")
struct ShadowComparisonTests {
    static func answer(_ outputs: String) -> UpstreamResponse {
        UpstreamResponse(
            status: 200, headers: [(name: "Content-Type", value: "application/json")],
            body: Data(#"{"model_name":"m","model_version":"1","outputs":[\#(outputs)]}"#.utf8))
    }

    static func classes(_ entries: [String]) -> String {
        let data = entries.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"name":"PROBABILITIES","datatype":"BYTES","shape":[1,\#(entries.count)],"data":[\#(data)]}"#
    }

    @Test("classification outputs agree on the top-1 class, whatever the scores")
    func topOne() {
        let primary = Self.answer(Self.classes(["0.9:7:seven", "0.05:1:one"]))
        #expect(ShadowComparison.agrees(primary, Self.answer(Self.classes(["0.6:7:seven", "0.3:1:one"]))) == true)
        #expect(ShadowComparison.agrees(primary, Self.answer(Self.classes(["0.6:1:one", "0.3:7:seven"]))) == false)
    }

    @Test("other outputs agree only when equal; unreadable answers are not judged")
    func exact() {
        let tensor = #"{"name":"OUTPUT0","datatype":"INT32","shape":[1,2],"data":[1,2]}"#
        let other = #"{"name":"OUTPUT0","datatype":"INT32","shape":[1,2],"data":[1,3]}"#
        #expect(ShadowComparison.agrees(Self.answer(tensor), Self.answer(tensor)) == true)
        #expect(ShadowComparison.agrees(Self.answer(tensor), Self.answer(other)) == false)
        let broken = UpstreamResponse(status: 200, headers: [], body: Data("not json".utf8))
        #expect(ShadowComparison.agrees(Self.answer(tensor), broken) == nil)
    }
}
