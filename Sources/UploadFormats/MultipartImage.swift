import Foundation
import InferenceProtocol

/// The image of a classify request: the raw body, or the first file part of a
/// `multipart/form-data` body (a part named `image` or `file` preferred).
public enum MultipartImage {
    /// The image bytes of `body` sent with `contentType`.
    ///
    /// - Throws: `badRequest` for an empty image or a multipart body without a usable part.
    public static func image(from body: Data, contentType: String?) throws(InferenceError) -> Data {
        let mediaType = contentType.map { MediaType.essence(of: $0) }
        guard mediaType == "multipart/form-data" else {
            guard !body.isEmpty else { throw .badRequest("the request body is empty; send the image as the body") }
            return body
        }
        guard let boundary = contentType.flatMap(Self.boundary(in:)) else {
            throw .badRequest("multipart/form-data needs a boundary parameter")
        }
        let parts = Self.parts(of: body, boundary: boundary)
        guard !parts.isEmpty else { throw .badRequest("the multipart body has no parts") }
        let chosen =
            parts.first { ["image", "file"].contains($0.name ?? "") } ?? parts.first { $0.filename != nil } ?? parts[0]
        guard !chosen.content.isEmpty else { throw .badRequest("the multipart image part is empty") }
        return chosen.content
    }

    /// One part of a `multipart/form-data` body.
    public struct Part: Sendable, Equatable {
        /// The `name` parameter of the part's `Content-Disposition`.
        public var name: String?
        /// The `filename` parameter of the part's `Content-Disposition`.
        public var filename: String?
        /// The part's bytes, without headers or the CRLF before the next delimiter.
        public var content: Data

        public init(name: String?, filename: String?, content: Data) {
            self.name = name
            self.filename = filename
            self.content = content
        }
    }

    /// The `boundary` parameter of a `multipart/form-data` content type.
    public static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else {
                continue
            }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            return value.isEmpty || value.utf8.count > 200 ? nil : value
        }
        return nil
    }

    /// The parts between `--boundary` delimiters (RFC 7578); malformed parts are skipped.
    public static func parts(of body: Data, boundary: String) -> [Part] {
        let delimiter = Data(("--" + boundary).utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        guard var cursor = body.range(of: delimiter)?.upperBound else { return [] }
        while cursor < body.endIndex {
            // After a delimiter: "--" ends the body, otherwise CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard let headersEnd = body.range(of: headerEnd, in: cursor..<body.endIndex),
                let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headersEnd.upperBound..<body.endIndex)
            else { break }
            let headers = String(decoding: body[cursor..<headersEnd.lowerBound], as: UTF8.self)
            let disposition = headers.split(whereSeparator: \.isNewline).first {
                $0.lowercased().hasPrefix("content-disposition:")
            }
            parts.append(
                Part(
                    name: disposition.flatMap { Self.parameter("name", in: $0) },
                    filename: disposition.flatMap { Self.parameter("filename", in: $0) },
                    content: Data(body[headersEnd.upperBound..<next.lowerBound])))
            cursor = next.upperBound
        }
        return parts
    }

    private static func parameter(_ name: String, in header: Substring) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
