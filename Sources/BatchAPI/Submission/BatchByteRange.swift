/// One byte range of an HTTP `Range` header (`bytes=first-last`, `bytes=first-`), the only form the
/// result-file downloads accept.
struct BatchByteRange: Sendable, Hashable {
    /// The range cannot be served: it starts at or past the end of the object.
    struct Unsatisfiable: Error {
        var size: Int
    }

    var first: Int
    var last: Int?

    /// Reads a `Range` header value; `nil` when it is not one range of the `bytes` unit.
    init?(header: String) {
        guard header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts.allSatisfy({ $0.count <= 18 && Self.isDigits($0) }),
            let first = Int(parts[0])
        else { return nil }
        if parts[1].isEmpty {
            self.init(first: first, last: nil)
        } else {
            guard let last = Int(parts[1]), last >= first else { return nil }
            self.init(first: first, last: last)
        }
    }

    private static func isDigits(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    init(first: Int, last: Int?) {
        self.first = first
        self.last = last
    }

    /// The bytes to send from an object of `size` bytes.
    func resolved(size: Int) throws(Unsatisfiable) -> Range<Int> {
        guard first < size else { throw Unsatisfiable(size: size) }
        return first..<min(size, (last ?? Int.max - 1) + 1)
    }
}
