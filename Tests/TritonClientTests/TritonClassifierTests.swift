import Foundation
import InferenceProtocol
import TestSupport
import Testing

import CurlHTTP
@testable import TritonClient

@Suite(
    "Triton over libcurl: the digits classifier", .serialized, .timeLimit(.minutes(3)),
    .enabled(if: StackEnvironment.current.hasTriton, "TRITON_URLS not set: run `make up` first"))
struct TritonClassifierTests {
    /// One PNG through the classification extension; returns the top label as a digit.
    static func classify(_ png: Data, version: String, client: TritonHTTPClient, k: Int = 1) async throws
        -> [ClassificationEntry]
    {
        var output = InferRequestedOutput(name: "PROBABILITIES")
        output.classification = k
        let request = InferRequest(
            id: nil, parameters: [:],
            inputs: [InferTensor(name: "IMAGE", shape: [1, 1], bytes: [png])],
            outputs: [output])
        let response = try await client.infer(
            request, model: "digits", version: version, deadline: nil, binaryInputs: true)
        return try #require(response.output(named: "PROBABILITIES")).classifications()
    }

    @Test("held-out PNG digits get their true label as top-1", arguments: ["1", "2"])
    func firstItemsCorrect(version: String) async throws {
        let holdout = try DigitsHoldout.load()
        try await TritonFixture.with { fixture in
            var correct = 0
            for item in holdout.items.prefix(20) {
                let top = try await Self.classify(item.png, version: version, client: fixture.first, k: 3)
                #expect(top.count == 3)
                #expect(top.map(\.score) == top.map(\.score).sorted(by: >), "top-k is sorted by score")
                if top.first?.label == String(item.label) { correct += 1 }
            }
            #expect(correct >= 18, "a working classifier gets nearly all of 20 held-out digits right")
        }
    }

    @Test("served accuracy over the whole held-out set equals the offline accuracy", arguments: ["1", "2"])
    func accuracyMatchesOffline(version: String) async throws {
        let holdout = try DigitsHoldout.load()
        #expect(holdout.items.count >= 100)
        let offline = try #require(holdout.offlineAccuracy[version])
        try await TritonFixture.with { fixture in
            let correct = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, item) in holdout.items.enumerated() {
                    let client = fixture.clients[index % fixture.clients.count]
                    group.addTask {
                        let top = try await Self.classify(item.png, version: version, client: client)
                        return top.first?.label == String(item.label)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            let served = Double(correct) / Double(holdout.items.count)
            #expect(abs(served - offline) < 1e-9, "served \(served) vs offline \(offline)")
        }
    }

    @Test("an undecodable image is refused with the model's error, and the model keeps serving")
    func undecodableImage() async throws {
        let holdout = try DigitsHoldout.load()
        try await TritonFixture.with { fixture in
            let error = try await #require(throws: UpstreamError.self) {
                try await Self.classify(Data("not an image".utf8), version: "1", client: fixture.first)
            }
            #expect(error.status == 400 || error.status == 500)
            #expect(!error.message.isEmpty)
            let top = try await Self.classify(holdout.items[0].png, version: "1", client: fixture.first)
            #expect(top.count == 1)
        }
    }
}
