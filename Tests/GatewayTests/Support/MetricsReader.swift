import Foundation
import Prometheus

extension GatewayFixture {
    /// The value of the series `name{labels}` in the gateway's registry, 0 when absent.
    func metric(_ name: String, _ labels: [(String, String)] = []) -> Double {
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        let wanted = labels.map { "\($0.0)=\"\($0.1)\"" }
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, wanted.allSatisfy({ parts[0].contains($0) }) else { continue }
            return Double(parts[parts.count - 1]) ?? 0
        }
        return 0
    }
}
