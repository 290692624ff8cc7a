import Foundation

/// The held-out digit images written by `triton-models/tools`, with the accuracy measured offline.
public struct DigitsHoldout: Decodable, Sendable {
    /// One held-out image.
    public struct Item: Decodable, Sendable {
        /// The true digit.
        public let label: Int
        /// The PNG-encoded image, base64.
        public let pngBase64: String
        /// The digit each model version ("1", "2") predicts, measured offline.
        public let predicted: [String: Int]

        /// The PNG bytes.
        public var png: Data { Data(base64Encoded: pngBase64) ?? Data() }

        enum CodingKeys: String, CodingKey {
            case label
            case pngBase64 = "png_base64"
            case predicted
        }
    }

    /// Offline accuracy by model version ("1", "2"), measured through the served preprocessing.
    public let offlineAccuracy: [String: Double]
    /// The held-out images.
    public let items: [Item]

    enum CodingKeys: String, CodingKey {
        case offlineAccuracy = "offline_accuracy"
        case items
    }

    /// Loads `triton-models/testdata/digits_holdout.json` of this checkout.
    public static func load() throws -> DigitsHoldout {
        let url = StackEnvironment.repositoryRoot.appendingPathComponent("triton-models/testdata/digits_holdout.json")
        return try JSONDecoder().decode(DigitsHoldout.self, from: Data(contentsOf: url))
    }
}
