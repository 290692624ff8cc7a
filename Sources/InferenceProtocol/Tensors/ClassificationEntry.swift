/// One result of Triton's classification extension: `"score:index"` or `"score:index:label"`.
public struct ClassificationEntry: Sendable, Hashable {
    /// The model output's value at `index` (a probability or a logit, as the model produces it).
    public var score: Double
    /// The class index in the model's output tensor.
    public var index: Int
    /// The class label from the model's label file, if it has one.
    public var label: String?

    /// An entry with the given parts.
    public init(score: Double, index: Int, label: String? = nil) {
        self.score = score
        self.index = index
        self.label = label
    }

    /// Parses Triton's `<score>:<index>[:<label>]`; the label is everything after the second colon and may
    /// itself contain colons. Nil when the text is not in that form.
    public init?(parsing text: Substring) {
        guard let firstColon = text.firstIndex(of: ":") else { return nil }
        let rest = text[text.index(after: firstColon)...]
        let indexEnd = rest.firstIndex(of: ":") ?? rest.endIndex
        guard let score = Double(text[..<firstColon]),
            let index = Int(rest[..<indexEnd]), index >= 0
        else { return nil }
        self.score = score
        self.index = index
        self.label = indexEnd == rest.endIndex ? nil : String(rest[rest.index(after: indexEnd)...])
    }

    /// The entry in Triton's text form.
    public var text: String {
        let head = "\(score.formatted):\(index)"
        return label.map { head + ":" + $0 } ?? head
    }
}

extension ClassificationEntry: CustomStringConvertible {
    /// The entry in Triton's text form, `score:index[:label]`.
    public var description: String { text }
}

extension Double {
    /// Integral values without a trailing `.0`, as Triton prints classification scores.
    fileprivate var formatted: String {
        if let integral = Int64(exactly: self) { return String(integral) }
        return description
    }
}
