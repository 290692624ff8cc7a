extension InferTensor {
    /// The entries of an output returned through the classification extension, in the tensor's order
    /// (row-major: batch by batch, best first within a batch as Triton sends them).
    ///
    /// Throws if the tensor is not `BYTES` or an element is not `score:index[:label]`.
    public func classifications() throws -> [ClassificationEntry] {
        var entries: [ClassificationEntry] = []
        entries.reserveCapacity(elementCount)
        var position = 0
        try forEachByteElement { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let entry = ClassificationEntry(parsing: text[...]) else {
                let excerpt = text.count > 64 ? text.prefix(64) + "…" : text[...]
                throw InferenceProtocolError(
                    .malformedClassification,
                    "output '\(name)': classification entry \(position) is '\(excerpt)', "
                        + "expected 'score:index' or 'score:index:label'")
            }
            entries.append(entry)
            position += 1
        }
        return entries
    }

    /// The classification entries grouped by the leading (batch) dimension; one group when the shape has a
    /// single dimension.
    public func classificationsByBatch() throws -> [[ClassificationEntry]] {
        let entries = try classifications()
        guard shape.count >= 2, let perBatch = InferTensor.elementCount(of: Array(shape.dropFirst())),
            perBatch > 0
        else { return [entries] }
        return stride(from: 0, to: entries.count, by: perBatch).map {
            Array(entries[$0..<min($0 + perBatch, entries.count)])
        }
    }
}
